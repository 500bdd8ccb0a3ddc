-- Supabase ships the API roles `anon`, `authenticated` and `service_role`; plain Postgres and PGlite do not.
-- Create them when missing so the grants and Row Level Security below behave the same everywhere.
-- Roles are cluster-wide: two databases migrating at once may race, hence the exception handler.
do $$
declare
  r text;
begin
  foreach r in array array['anon', 'authenticated', 'service_role'] loop
    if not exists (select from pg_roles where rolname = r) then
      begin
        if r = 'service_role' then
          -- Mirrors Supabase: the server's role bypasses RLS.
          execute format('create role %I nologin bypassrls', r);
        else
          execute format('create role %I nologin', r);
        end if;
      exception when duplicate_object or unique_violation then
        null;
      end;
    end if;
  end loop;
end
$$;
