// Trees transcribed verbatim from shared spec structural-rewards.md (indented
// notation), for the matching tests and the benchmark.

/** §1.5 E1 (Spider-pair id 932 gold), 9 nodes. */
export const E1 = `
Limit
  fetch:1
  Sort
    key:DESC  [k0]
      col:transcripts.transcript_date  [a0]
    Project
      col:transcripts.transcript_date
      Scan
        table:transcripts
`;

/** §1.5 E2 (Spider-pair id 589 gold), 12 nodes. */
export const E2 = `
Project
  col:paragraphs.document_id
  Filter
    LESS_THAN_OR_EQUAL
      lit:2  [a0]
      col:COUNT()  [a1]
    Aggregate
      group
        col:paragraphs.document_id
      agg:COUNT
      Scan
        table:paragraphs
`;

/** §1.5 E3 (Spider-pair id 604 pred), 25 nodes. */
export const E3 = `
Project
  col:documents.document_id
  Aggregate
    group
      col:documents.document_id
    Join:inner
      EQUALS
        col:paragraphs.document_id
        col:documents.document_id
      Project
        col:paragraphs.document_id
        Filter
          AND
            LESS_THAN_OR_EQUAL
              lit:1  [a0]
              col:paragraphs.paragraph_id  [a1]
            LESS_THAN_OR_EQUAL
              col:paragraphs.paragraph_id  [a0]
              lit:2  [a1]
          Scan
            table:paragraphs
      Project
        col:documents.document_id
        Scan
          table:documents
`;

/** §1.5 E4 (Spider-pair id 1296 pred), 24 nodes. */
export const E4 = `
Aggregate
  group
    col:city.district
  agg:COUNT
  Join:inner
    LESS_THAN
      col:SINGLE_VALUE(AVG(city.population))  [a0]
      CAST  [a1]
        col:city.population  [a0]
    Project
      col:city.district
      col:city.population
      Scan
        table:city
    Aggregate
      group
      agg:SINGLE_VALUE
        col:AVG(city.population)  [a0]
      Aggregate
        group
        agg:AVG
          col:city.population  [a0]
        Scan
          table:city
`;

/** §1.5 E5 (Spider-pair id 557 pred), 11 nodes. */
export const E5 = `
Aggregate
  group
    col:ref_template_types.template_type_description
  Join:semi
    EQUALS
      col:ref_template_types.template_type_code
      col:templates.template_type_code
    Scan  [in0]
      table:ref_template_types
    Scan  [in1]
      table:templates
`;

/** §2.3 base tree G1: SELECT name FROM emp WHERE salary > 1000 (8 nodes). */
export const G1 = `
Project
  col:emp.name
  Filter
    LESS_THAN
      lit:1000  [a0]
      col:emp.salary  [a1]
    Scan
      table:emp
`;

/** §3.3 reference tree T* (26 nodes), with the spec's LEFT/RIGHT annotations. */
export const T_STAR = `
Limit
  fetch:1
  Sort
    key:DESC  [k0]
      col:COUNT()  [a0]
    Aggregate
      group
        col:dept.name
      agg:COUNT
      Join:inner
        EQUALS
          col:emp.dept_id
          col:dept.id
        Project                      <- LEFT, 8 nodes: SELECT dept_id FROM emp WHERE salary > 1000
          col:emp.dept_id
          Filter
            LESS_THAN
              lit:1000  [a0]
              col:emp.salary  [a1]
            Scan
              table:emp
        Project                      <- RIGHT, 5 nodes: SELECT id, name FROM dept
          col:dept.id
          col:dept.name
          Scan
            table:dept
`;

/**
 * §3.3 real example (id 1296): the gold R1 tree. The spec gives only its size
 * (25 nodes, no SINGLE_VALUE) and the SQL; this is the §1.4 derivation of the
 * released gold plan (test/corpus/match-released-plan.test.ts checks it equals
 * releasedPlanToTree on the data).
 */
export const GOLD_1296 = `
Project
  col:COUNT()
  col:city.district
  Aggregate
    group
      col:city.district
    agg:COUNT
    Project
      col:city.district
      Join:inner
        LESS_THAN
          col:AVG(city.population)  [a0]
          CAST  [a1]
            col:city.population  [a0]
        Project
          col:city.district
          col:city.population
          Scan
            table:city
        Aggregate
          group
          agg:AVG
            col:city.population  [a0]
          Scan
            table:city
`;

/** §2.4 real pairs, transcribed from the text (gold, pred). */
export const R_PAIRS = {
  'R-1': {
    id: 1136,
    gold: 'Aggregate(group, agg:SUM(col:country.surfacearea[a0]), Filter(EQUALS(col:country.region, lit:Caribbean), Scan(table:country)))',
    pred: 'Aggregate(group, agg:SUM(col:country.surfacearea[a0]), Filter(EQUALS(col:country.continent, lit:Caribbean), Scan(table:country)))',
  },
  'R-2': {
    id: 244,
    gold: 'Aggregate(group(col:cars_data.year), Filter(AND(LESS_THAN_OR_EQUAL(lit:3000[a0], col:cars_data.weight[a1]), LESS_THAN_OR_EQUAL(col:cars_data.weight[a0], lit:4000[a1])), Scan(table:cars_data)))',
    pred: 'Project(col:cars_data.year, Filter(AND(LESS_THAN_OR_EQUAL(lit:3000[a0], col:cars_data.weight[a1]), LESS_THAN_OR_EQUAL(col:cars_data.weight[a0], lit:4000[a1])), Scan(table:cars_data)))',
  },
  'R-3': {
    id: 572,
    gold: 'Project(col:paragraphs.other_details, Filter(LIKE(col:paragraphs.paragraph_text[a0], lit:korea[a1]), Scan(table:paragraphs)))',
    pred: 'Filter(LIKE(col:paragraphs.paragraph_text[a0], lit:%Korea %[a1]), Scan(table:paragraphs))',
  },
  'R-4': {
    id: 953,
    gold: 'Project(col:sections.section_description, Filter(EQUALS(col:sections.section_name, lit:h), Scan(table:sections)))',
    pred: 'Filter(EQUALS(CAST(col:sections.section_id[a0]), CAST(lit:h[a0])), Scan(table:sections))',
  },
} as const;
