-- Which singers are older than the average, from oldest to youngest?
-- steplens: db=concert_singer
-- steplens: gold=SELECT name, country, age FROM singer WHERE age > (SELECT avg(age) FROM singer) ORDER BY age DESC
WITH average_age AS (
  SELECT avg(age) AS avg_age FROM singer
), older_singers AS (
  SELECT name, country, age
  FROM singer, average_age
  WHERE age > avg_age
)
SELECT name, country, age
FROM older_singers
ORDER BY age DESC;
