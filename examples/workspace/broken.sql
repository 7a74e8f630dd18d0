-- steplens: db=concert_singer
-- steplens: gold=SELECT count(*) FROM singer WHERE country = 'France'
WITH french AS (
  SELECT name FROM singer WHERE nationality = 'France'
)
SELECT count(*) FROM french;

SELECT name FROM singer WHERE;
