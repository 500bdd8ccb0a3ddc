-- The plan catalog. Capabilities are read from here, never hard-coded in TypeScript.
insert into plans (id, name, price_cents, searches_per_month, history_days, excel, per_minute, team, trial_days, rank)
values
  ('free_trial', 'Teste grátis', null, 3, 7, false, 2, false, 7, 0),
  ('consultor_agil', 'Consultor Ágil', 29700, 50, 30, false, 10, false, null, 1),
  ('maquina', 'Máquina', 59700, 300, 365, true, 30, false, null, 2),
  ('sala_guerra', 'Sala de Guerra', 149700, 1000, 1825, true, 60, true, null, 3)
on conflict (id) do update set
  name = excluded.name,
  price_cents = excluded.price_cents,
  searches_per_month = excluded.searches_per_month,
  history_days = excluded.history_days,
  excel = excluded.excel,
  per_minute = excluded.per_minute,
  team = excluded.team,
  trial_days = excluded.trial_days,
  rank = excluded.rank;
