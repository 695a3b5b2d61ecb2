// The truth at the end of the run, read two ways: directly from PostgreSQL (flag configs, the
// change log and its head) and through the management API of a live instance.
import { flagValue } from './observed-client.mjs';

/** { environmentId, head, flags: key → {version, weight}, log: key → Map(version → [{sequence, weight}]) } */
export const readDatabase = async (postgres, projectKey, environmentKey) => {
  const environment = await postgres.query('SELECT e.id FROM environments e JOIN projects p ON p.id = e.project_id WHERE p.key = $1 AND e.key = $2', [
    projectKey,
    environmentKey,
  ]);
  const environmentId = environment.rows[0]?.id;
  if (!environmentId) throw new Error(`environment ${projectKey}/${environmentKey} not found in the database`);
  const head = await postgres.query('SELECT sequence FROM change_log_heads WHERE environment_id = $1', [environmentId]);
  const configs = await postgres.query(
    `SELECT f.key, c.version, c.default_rule FROM flags f
       LEFT JOIN flag_configs c ON c.flag_id = f.id AND c.environment_id = $1
      WHERE f.project_id = (SELECT project_id FROM environments WHERE id = $1) AND f.archived_at IS NULL`,
    [environmentId],
  );
  const log = await postgres.query("SELECT sequence, key, payload FROM change_log WHERE environment_id = $1 AND kind = 'flag' ORDER BY sequence", [
    environmentId,
  ]);
  const sequences = await postgres.query('SELECT sequence FROM change_log WHERE environment_id = $1 ORDER BY sequence', [environmentId]);

  const flags = new Map(configs.rows.map((r) => [r.key, flagValue({ version: r.version ?? 0, defaultRule: r.default_rule })]));
  const byFlag = new Map();
  for (const row of log.rows) {
    const value = flagValue(row.payload);
    const versions = byFlag.get(row.key) ?? new Map();
    byFlag.set(row.key, versions);
    const entries = versions.get(value.version) ?? [];
    entries.push({ sequence: Number(row.sequence), weight: value.weight });
    versions.set(value.version, entries);
  }
  return {
    environmentId,
    head: Number(head.rows[0]?.sequence ?? 0),
    flags,
    log: byFlag,
    sequences: sequences.rows.map((r) => Number(r.sequence)),
  };
};

/** key → {version, weight} as the management API of `instance` answers, or { error }. */
export const readThroughApi = async (api, instance, projectKey, environmentKey, flagKeys) => {
  const flags = new Map();
  for (const key of flagKeys) {
    const answer = await api.get(instance.url, `/projects/${projectKey}/flags/${key}/environments/${environmentKey}`, { timeoutMs: 10_000 });
    if (answer.status !== 200) return { error: `GET ${key} on ${instance.name} answered ${answer.status || answer.error}` };
    flags.set(key, flagValue(answer.body));
  }
  return { flags };
};
