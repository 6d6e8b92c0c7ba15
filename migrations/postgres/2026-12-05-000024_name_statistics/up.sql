-- A search chooses between the newest dossiers, checked one by one (a common name)
-- and the trigram index (a rare one) by the planner's estimate of how many names
-- match. With the default statistics it took "nguyen van" (0.7 % of 10 M names) for
-- 0.01 % and read all 72,000 matches to sort them: 0.9 s instead of 2 ms. Ten times
-- the sample of names brings the estimate within a few percent.
ALTER TABLE dossiers ALTER COLUMN applicant_name_folded SET STATISTICS 1000;
ANALYZE dossiers (applicant_name_folded);
