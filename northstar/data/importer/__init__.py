"""The importer behind `python -m northstar.load`: mapping files, source readers, pipeline."""
