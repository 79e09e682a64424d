-- reference rows every database starts from: the customer-facing departments and the customer
-- outcomes their kpis serve. the demo generator inserts them, and a load seeds them when the
-- source has no departments or customer_outcomes file.
insert into departments values
    ('marketing', 'Marketing', 'Grace Holloway'),
    ('sales', 'Sales', 'Marcus Bell'),
    ('customer_service', 'Customer Service & Support', 'Irene Vasquez'),
    ('professional_services', 'Professional Services', 'Tom Adeyemi'),
    ('product_development', 'Product Development', 'Sanjay Rao'),
    ('market_research', 'Market Research', 'Helen Strauss');

insert into customer_outcomes values
    ('retention', 'Retention', 'Customers stay and keep their revenue (NRR, GRR, logo retention).'),
    ('satisfaction', 'Satisfaction', 'Customers are satisfied and would recommend us (NPS, CSAT).'),
    ('effort', 'Effort', 'Customers find it easy to get things done with us (CES, time to resolve).'),
    ('growth', 'Growth', 'Customers buy more over time (expansion ARR).'),
    ('advocacy', 'Advocacy', 'Customers speak for us (references, kudos, advisory board).');
