-- A migration a database ran that this build does not have: what the command history must still refuse.
CREATE TABLE not_in_this_build (id INTEGER);
