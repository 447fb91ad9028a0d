-- A Companies House number names one company, and past public wins are linked to a supplier by it:
-- at most one registered supplier may hold each number (NULL, no number, as often as needed).
-- Stores registered before this could hold a number twice; no one of those claims can be trusted over
-- the others, so every number held more than once is cleared, and each firm sets it again (PATCH), first
-- come first served.

UPDATE suppliers SET company_number = NULL
WHERE company_number IN (
  SELECT company_number FROM suppliers WHERE company_number IS NOT NULL GROUP BY company_number HAVING COUNT(*) > 1
);

CREATE UNIQUE INDEX suppliers_company_number ON suppliers (company_number);
