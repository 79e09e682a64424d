-- reference rows every database starts from: the customer-facing departments and the customer
-- outcomes their kpis serve. the demo generator inserts them, and a load seeds them when the
-- source has no departments or customer_outcomes file.
-- no head is named: a company's heads come from its own departments file, so none of the demo's
-- people appear in a company's data (the demo generator names its own)
insert into departments values
    ('marketing', 'Marketing', null),
    ('sales', 'Sales', null),
    ('customer_service', 'Customer Service & Support', null),
    ('professional_services', 'Professional Services', null),
    ('product_development', 'Product Development', null),
    ('market_research', 'Market Research', null);

insert into customer_outcomes values
    ('retention', 'Retention', 'Customers stay and keep their revenue (NRR, GRR, logo retention).'),
    ('satisfaction', 'Satisfaction', 'Customers are satisfied and would recommend us (NPS, CSAT).'),
    ('effort', 'Effort', 'Customers find it easy to get things done with us (CES, time to resolve).'),
    ('growth', 'Growth', 'Customers buy more over time (expansion ARR).'),
    ('advocacy', 'Advocacy', 'Customers speak for us (references, kudos, advisory board).');
