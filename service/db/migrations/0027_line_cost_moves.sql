-- A line's cost moves were written as JSON text inside the jsonb column
-- (a JSON string holding the object) by the product costing: stored as the
-- object itself from now on, and the rows written before are unwrapped.
UPDATE line_costs SET moves = (moves #>> '{}')::jsonb WHERE jsonb_typeof(moves) = 'string';
