-- demo generator helpers: deterministic pseudo-random draws keyed on (seed, key, key, salt).
-- variables set by northstar.data.demo.generator before this runs: seed, n_accounts, as_of, last_month, window_start.
create or replace temp macro rnd(k1, k2, salt) as
    hash(hash(getvariable('seed'), k1, k2, salt)) / 18446744073709551616.0;
-- standard normal deviate (box-muller over two independent uniforms)
create or replace temp macro rnorm(k1, k2, salt) as
    sqrt(-2 * ln(1 - rnd(k1, k2, salt || ':a'))) * cos(2 * pi() * rnd(k1, k2, salt || ':b'));
-- pick one element of a list with a uniform draw u in [0, 1)
create or replace temp macro pick(options, u) as
    options[1 + least(floor(u * len(options))::integer, len(options) - 1)];
-- poisson count (0..4) by inverse cdf for rate lam and uniform u
create or replace temp macro poisson4(lam, u) as
    case
        when u < exp(-lam) then 0
        when u < exp(-lam) * (1 + lam) then 1
        when u < exp(-lam) * (1 + lam + lam ^ 2 / 2) then 2
        when u < exp(-lam) * (1 + lam + lam ^ 2 / 2 + lam ^ 3 / 6) then 3
        else 4
    end;
create or replace temp macro person_name(k1, k2, salt) as
    pick(['Ava', 'Liam', 'Maya', 'Noah', 'Zoe', 'Ethan', 'Priya', 'Omar', 'Lena', 'Mateo',
          'Hana', 'Lucas', 'Aisha', 'Jonas', 'Sofia', 'Kenji', 'Elena', 'Diego', 'Nora', 'Samuel',
          'Ingrid', 'Tariq', 'Chloe', 'Rafael', 'Mei', 'Oscar', 'Amara', 'Felix', 'Yara', 'Victor'],
         rnd(k1, k2, salt || ':first'))
    || ' ' ||
    pick(['Okafor', 'Lindqvist', 'Tanaka', 'Moreau', 'Castillo', 'Novak', 'Haddad', 'Fischer',
          'Mensah', 'Kowalski', 'Rossi', 'Nakamura', 'Silva', 'Brennan', 'Iyer', 'Dubois',
          'Andersen', 'Petrov', 'Gallagher', 'Sato', 'Varga', 'Oduya', 'Reyes', 'Lund', 'Becker',
          'Chen', 'Murphy', 'Alvarez', 'Kaur', 'Weber'],
         rnd(k1, k2, salt || ':last'));
-- customer-side people (contacts, advisory board seat holders): their own name pools, disjoint
-- from employees', so a customer's name never coincides with a staff member's
create or replace temp macro contact_name(k1, k2, salt) as
    pick(['Adrian', 'Beatrice', 'Calvin', 'Daphne', 'Edwin', 'Fiona', 'Graham', 'Harriet',
          'Isaac', 'Juliet', 'Kieran', 'Lydia', 'Miles', 'Nadia', 'Owen', 'Phoebe', 'Quentin',
          'Rosa', 'Simon', 'Tessa', 'Ulrich', 'Vera', 'Wesley', 'Ximena', 'Yusuf', 'Zara',
          'Bruno', 'Celia', 'Dmitri', 'Esther'],
         rnd(k1, k2, salt || ':first'))
    || ' ' ||
    pick(['Abbott', 'Baker', 'Carver', 'Dalton', 'Ellis', 'Farrow', 'Garner', 'Hale', 'Ingram',
          'Jarvis', 'Keller', 'Lowe', 'Marsh', 'Nash', 'Orton', 'Pryce', 'Quinn', 'Rhodes',
          'Sutton', 'Thorne', 'Underwood', 'Vance', 'Walsh', 'Yates', 'Zeller', 'Ashby',
          'Bishop', 'Crane', 'Drake', 'Everett'],
         rnd(k1, k2, salt || ':last'));
