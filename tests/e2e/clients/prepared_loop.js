// node-postgres client for the transaction-pooling e2e test: several clients run a named
// query (prepared once per connection by the driver) inside many short transactions, while
// pgfront moves each transaction to whichever server connection is free. Prints one JSON line.
const { Client } = require('pg');

async function worker(config, index, iterations, stats) {
  const client = new Client(config);
  await client.connect();
  try {
    for (let i = 0; i < iterations; i++) {
      try {
        await client.query('BEGIN');
        const value = index * 1000000 + i;
        const res = await client.query({
          name: 'add-one',
          text: 'SELECT $1::int + 1 AS v, pg_backend_pid() AS pid',
          values: [value],
        });
        if (res.rows[0].v !== value + 1) throw new Error('wrong result ' + res.rows[0].v);
        stats.pids.add(res.rows[0].pid);
        await client.query('COMMIT');
        stats.executions++;
      } catch (e) {
        stats.errors++;
        if (!stats.firstError) stats.firstError = String(e);
        try { await client.query('ROLLBACK'); } catch (ignored) { }
      }
    }
  } finally {
    await client.end();
  }
}

async function main() {
  const [host, port, user, password, database, clients, iterations] = process.argv.slice(2);
  const config = { host, port: Number(port), user, password, database };
  const stats = { errors: 0, executions: 0, pids: new Set(), firstError: '' };
  const timer = setTimeout(() => { console.log(JSON.stringify({ timeout: true })); process.exit(2); }, 120000);
  await Promise.all(Array.from({ length: Number(clients) }, (_, i) => worker(config, i, Number(iterations), stats)));
  clearTimeout(timer);
  console.log(JSON.stringify({ errors: stats.errors, executions: stats.executions,
                               server_pids: stats.pids.size, first_error: stats.firstError }));
}

main().catch((e) => { console.log(JSON.stringify({ errors: 1, fatal: String(e) })); process.exit(1); });
