-- steplens: db=world_1

-- How many countries speak English officially?
-- steplens: gold=SELECT count(*) FROM countrylanguage WHERE Language = "English" AND IsOfficial = "T"
WITH official AS (
  SELECT CountryCode FROM countrylanguage
  WHERE Language = 'English' AND IsOfficial = 'T'
)
SELECT count(*) FROM official;

-- The names of the 3 most populated countries in Asia.
-- steplens: gold=SELECT Name FROM country WHERE Continent = "Asia" ORDER BY Population DESC LIMIT 3
WITH asia AS (
  SELECT Name, Population FROM country WHERE Continent = 'Asia'
), cities AS (
  SELECT Name FROM city WHERE Population > 1000000
)
SELECT Name FROM asia ORDER BY Population DESC LIMIT 3;
