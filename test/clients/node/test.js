// test/clients/node/test.js: flagforge from Node.js with node-postgres (pg).
//
// Run by test/clients/run.sh (after `npm ci` here) with PGHOST/PGPORT/PGUSER/PGDATABASE set,
// which pg reads by itself. Prints `ok - ...` lines; exits non-zero when a check fails.
'use strict';

const assert = require('node:assert');
const { Client } = require('pg');

let failed = 0;

// check(what, fn, todo): `ok` when fn() does not throw. With `todo` (a known issue of the
// extension), a failure prints `not ok ... # TODO <todo>` and does not fail the run.
function check(what, fn, todo) {
  const mark = todo ? ` # TODO ${todo}` : '';
  try {
    fn();
    console.log(`ok - node-pg: ${what}${mark}`);
  } catch (e) {
    if (!todo) failed += 1;
    console.log(`not ok - node-pg: ${what}${mark}`);
    console.log(`#   ${String(e.message).replace(/\n/g, '\n#   ')}`);
  }
}

async function rejects(what, promise, code, hintPart) {
  let err = null;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  check(what, () => {
    assert.ok(err, 'no error raised');
    assert.strictEqual(err.code, code, `SQLSTATE ${err.code}: ${err.message}`);
    assert.ok((err.hint || '').includes(hintPart), `hint: ${err.hint}`);
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const ACME_USER_42 = {
  new_dashboard: true, beta_checkout: true, dark_mode: true, beta_reports: false, gradual_search: true,
};
const GLOBEX_7 = {
  new_dashboard: false, beta_checkout: true, dark_mode: true, beta_reports: true, gradual_search: false,
};

// One request: a transaction with the request's flag context (SET LOCAL semantics).
async function withFlagContext(client, ctx, fn) {
  await client.query('BEGIN');
  try {
    await client.query(
      `SELECT set_config('flagforge.tenant', $1, true), set_config('flagforge.user_id', $2, true),
              set_config('flagforge.groups', $3, true), set_config('flagforge.environment', $4, true)`,
      [ctx.tenant, ctx.userId || '', (ctx.groups || []).join(','), ctx.environment || '']);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK');
    throw e;
  }
}

async function betaOrderIds(client) {
  const { rows } = await client.query('SELECT id FROM beta_orders ORDER BY id');
  return rows.map((r) => r.id);
}

async function main() {
  const client = new Client();
  const listener = new Client();
  await client.connect();
  await listener.connect();

  // --- evaluate_all with bound parameters; groups as a JS array ---------------------------
  let res = await client.query('SELECT flagforge_evaluate_all($1, $2, $3, $4) AS flags',
    ['acme', 'user_42', ['beta'], 'production']);
  const flags = res.rows[0].flags;
  check('evaluate_all($1..$4) AS flags is a plain object of booleans', () => {
    assert.strictEqual(Object.getPrototypeOf(flags), Object.prototype);
    assert.ok(Object.values(flags).every((v) => typeof v === 'boolean'), JSON.stringify(flags));
  });
  check("evaluate_all for acme/user_42/['beta']/production", () => assert.deepStrictEqual(flags, ACME_USER_42));
  res = await client.query('SELECT flagforge_is_enabled($1, $2, $3) AS on', ['beta_checkout', 'globex', '7']);
  check('flagforge_is_enabled($1, $2, $3) is a JS boolean', () => assert.strictEqual(res.rows[0].on, true));

  // --- per request: BEGIN; set_config(..., true); ...; COMMIT --------------------------------
  const [on, all] = await withFlagContext(client, { tenant: 'globex', userId: '7', environment: 'production' },
    async (c) => {
      const one = await c.query("SELECT flagforge_is_enabled('beta_checkout') AS on");
      const every = await c.query('SELECT flagforge_evaluate_all() AS flags');
      return [one.rows[0].on, every.rows[0].flags];
    });
  check('set_config in BEGIN..COMMIT: flagforge_is_enabled(key)', () => assert.strictEqual(on, true));
  check('set_config in BEGIN..COMMIT: flagforge_evaluate_all()', () => assert.deepStrictEqual(all, GLOBEX_7));
  await rejects('after COMMIT the context is gone: 22004 with a hint',
    client.query('SELECT flagforge_evaluate_all()'), '22004', 'SET LOCAL flagforge.tenant');

  // --- a view that gates rows -----------------------------------------------------------------
  const before = await betaOrderIds(client);
  check('beta_orders view: ids 1, 2, 3, 6', () => assert.deepStrictEqual(before, [1, 2, 3, 6]));

  // --- LISTEN flagforge_changed ---------------------------------------------------------------
  const notes = [];
  listener.on('notification', (msg) => notes.push(msg));
  await listener.query('LISTEN flagforge_changed');
  const waitFor = async (count, ms) => {
    for (let waited = 0; notes.length < count && waited < ms; waited += 20) await sleep(20);
  };

  await client.query('BEGIN');
  await client.query("SELECT flagforge_enable('beta_checkout', 'globex')");
  await waitFor(1, 300);
  check('no notification before COMMIT', () => assert.strictEqual(notes.length, 0));
  await client.query('COMMIT');
  await waitFor(1, 5000);
  await sleep(100);
  const payloads = notes.map((n) => JSON.parse(n.payload));
  check("flagforge_enable('beta_checkout', 'globex') notifies flagforge_changed at COMMIT", () => {
    assert.ok(notes.length >= 1, 'no notification');
    assert.ok(notes.every((n) => n.channel === 'flagforge_changed'));
  });
  check('the payloads are JSON {flag_key, tenant_id, operation} naming the flag and tenant, the last an UPDATE',
    () => {
      payloads.forEach((p) => assert.deepStrictEqual(Object.keys(p).sort(), ['flag_key', 'operation', 'tenant_id']));
      payloads.forEach((p) => assert.deepStrictEqual([p.flag_key, p.tenant_id], ['beta_checkout', 'globex']));
      assert.strictEqual(payloads[payloads.length - 1].operation, 'UPDATE');
    });
  // flagforge_enable upserts (INSERT ... ON CONFLICT DO UPDATE); the notifying trigger is an
  // AFTER ROW trigger, so an existing override sends only the UPDATE that happened.
  check('enabling an existing override sends exactly one notification, an UPDATE',
    () => assert.deepStrictEqual(payloads,
      [{ flag_key: 'beta_checkout', tenant_id: 'globex', operation: 'UPDATE' }]));
  const after = await betaOrderIds(listener);
  check("the listening connection's next query sees the change (beta_orders gains globex's 4)",
    () => assert.deepStrictEqual(after, [1, 2, 3, 4, 6]));

  notes.length = 0;
  await client.query('BEGIN');
  await client.query("SELECT flagforge_disable('beta_checkout', 'globex')");
  await client.query('ROLLBACK');
  await waitFor(1, 300);
  check('a rolled-back change sends no notification', () => assert.strictEqual(notes.length, 0));

  // Put the fixture back (plain SQL notifies too).
  await client.query(
    "UPDATE flagforge_overrides SET enabled = NULL WHERE tenant_id = 'globex' AND flag_key = 'beta_checkout'");
  await waitFor(1, 5000);
  check('a plain UPDATE of flagforge_overrides notifies too', () => assert.deepStrictEqual(
    notes.map((n) => JSON.parse(n.payload)),
    [{ flag_key: 'beta_checkout', tenant_id: 'globex', operation: 'UPDATE' }]));
  const restored = await betaOrderIds(listener);
  check('beta_orders is back to 1, 2, 3, 6', () => assert.deepStrictEqual(restored, [1, 2, 3, 6]));

  await listener.end();
  await client.end();
}

main().then(
  () => process.exit(failed ? 1 : 0),
  (e) => {
    console.log(`not ok - node-pg: unexpected error: ${e.stack || e}`);
    process.exit(1);
  },
);
