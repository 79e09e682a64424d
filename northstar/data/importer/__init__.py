"""The importer behind `python -m northstar.data.load`: mapping files, source readers, pipeline."""
