// Starts one local Prisma server and prints one JSON line on stdout when it is ready:
//   {"ready": true, "url": "prisma+postgres://localhost:PORT/?api_key=…", "kind": …, "port": …}
// (a MySQL/MariaDB-backed server announces "prisma://localhost:PORT/?api_key=…").
// Modes:
//   dev       the official local Prisma Postgres (@prisma/dev: PGlite behind Prisma's executor)
//   executor  Prisma's query-plan executor in front of a real PostgreSQL or MySQL/MariaDB
//             (--database-url postgres://… | mysql://… | mariadb://…)
//   database  one question about a MySQL/MariaDB database, answered as one JSON line, then exit:
//             --action exists | create | drop (PostgreSQL's are asked from Python, via psycopg)
// It exits cleanly on SIGTERM / SIGINT / stdin EOF (so a dying parent never leaves it behind).
import { createServer } from "node:http";
import { randomBytes, timingSafeEqual } from "node:crypto";
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";

// @prisma/dev's executor looks its logger up in the active OpenTelemetry context; without a
// context manager every request fails with 500 "No active logger found".
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

function parseArgs(argv) {
  const args = { mode: argv[0], port: 0, name: "default", host: "127.0.0.1" };
  for (let i = 1; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, "");
    args[key.replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = argv[i + 1];
  }
  args.port = Number(args.port || 0);
  return args;
}

function announce(info) {
  process.stdout.write(JSON.stringify({ ready: true, ...info }) + "\n");
}

function fail(error) {
  process.stdout.write(JSON.stringify({ ready: false, error: String(error?.stack || error) }) + "\n");
  process.exit(1);
}

// Distinct free ports: every listener stays open until all are chosen, since the system may
// hand a port it just freed to the next listen(0) (@prisma/dev rejects a port requested twice).
// They listen on every address, as @prisma/dev's own check does: a port free on 127.0.0.1 may
// be taken on another one.
async function freePorts(count) {
  const servers = [];
  try {
    const ports = [];
    for (let i = 0; i < count; i++) {
      const srv = createServer();
      servers.push(srv);
      ports.push(
        await new Promise((resolve, reject) => {
          srv.on("error", reject);
          srv.listen(0, () => resolve(srv.address().port));
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(servers.map((srv) => new Promise((resolve) => srv.close(() => resolve()))));
  }
}

// Another process may take a chosen port between freePorts() closing it and @prisma/dev
// listening on it: then the server starts again on other ports, a bounded number of times.
// A port the user asked for is never replaced.
const PORT_ATTEMPTS = 5;

async function startDev(args) {
  const { startPrismaDevServer } = await import("@prisma/dev");
  for (let attempt = 1; ; attempt++) {
    const [free, databasePort, shadowDatabasePort, streamsPort] = await freePorts(4);
    const port = args.port || free;
    try {
      return await startDevOnPorts(startPrismaDevServer, args, {
        port,
        databasePort,
        shadowDatabasePort,
        streamsPort,
      });
    } catch (error) {
      const taken = error?.name === "PortNotAvailableError" && error.port !== args.port;
      if (!taken || attempt === PORT_ATTEMPTS) throw error;
    }
  }
}

async function startDevOnPorts(startPrismaDevServer, args, ports) {
  const server = await startPrismaDevServer({
    name: args.name,
    ...ports,
    // "stateful" keeps the database in @prisma/dev's data directory under --name (kept test
    // databases); by default it lives in memory and ends with the server.
    persistenceMode: args.persistence === "stateful" ? "stateful" : "stateless",
  });
  const url = server.exports?.ppg?.url ?? server.ppg?.url;
  const databaseUrl = server.exports?.database?.connectionString ?? server.database?.connectionString;
  return { url, port: ports.port, databaseUrl, close: () => server.close() };
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function executorOptions(qpeModule, databaseUrl, args) {
  const { parseDuration, parseSize } = qpeModule;
  return {
    databaseUrl,
    maxResponseSize: parseSize("128 MiB"),
    queryTimeout: parseDuration(args.queryTimeout || "PT5M"),
    maxTransactionTimeout: parseDuration(args.maxTransactionTimeout || "PT5M"),
    maxTransactionWaitTime: parseDuration(args.maxTransactionWait || "PT5M"),
    perRequestLogContext: { logFormat: "text", logLevel: "off" },
  };
}

// MariaDB's connection pool retries a failing connection until its acquireTimeout (10 s by
// default) and only then reports it, and creating an executor already waits for one (it asks
// the server's version): questions asked before serving give up sooner.
const MYSQL_QUICK_ACQUIRE_TIMEOUT_MS = "2000";

function withQuickFailure(mysqlUrl) {
  const url = new URL(mysqlUrl);
  if (!url.searchParams.has("acquireTimeout")) {
    url.searchParams.set("acquireTimeout", MYSQL_QUICK_ACQUIRE_TIMEOUT_MS);
  }
  return url.toString();
}

// What differs between the database servers the executor can front.
const POSTGRESQL = {
  name: "PostgreSQL",
  announcedScheme: "prisma+postgres",
  maintenanceUrl(databaseUrl) {
    const admin = new URL(databaseUrl);
    admin.pathname = "/postgres";
    return admin.toString();
  },
  // The probe runs on the serving executor.
  probeUrl: null,
  quoteIdent: (name) => '"' + name.replaceAll('"', '""') + '"',
  dropStatement: (quoted) => `DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`,
  createStatement: (quoted) => `CREATE DATABASE ${quoted}`,
  describeFailure: (reply) => reply,
};

const MYSQL = {
  name: "MySQL/MariaDB",
  // `prisma+postgres://` is Prisma Postgres' scheme; other databases are `prisma://`.
  announcedScheme: "prisma",
  // information_schema exists on every server and every user may read it.
  maintenanceUrl(databaseUrl) {
    const admin = new URL(databaseUrl);
    admin.pathname = "/information_schema";
    return withQuickFailure(admin.toString());
  },
  probeUrl: withQuickFailure,
  quoteIdent: (name) => "`" + name.replaceAll("`", "``") + "`",
  dropStatement: (quoted) => `DROP DATABASE IF EXISTS ${quoted}`,
  // The server's default character set may still be latin1 (MySQL 5.7): Django wants utf8mb4.
  createStatement: (quoted, ifNotExists = false) =>
    `CREATE DATABASE ${ifNotExists ? "IF NOT EXISTS " : ""}${quoted} CHARACTER SET utf8mb4`,
  existsQuery: {
    sql: "SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
    argTypes: [{ scalarType: "string", arity: "scalar" }],
  },
  // The pool reports only "pool timeout"; the reason (connection refused, unknown database,
  // access denied) is the driver error's cause.
  describeFailure(reply) {
    try {
      const parsed = JSON.parse(reply);
      const cause = parsed?.meta?.driverAdapterError?.cause?.cause;
      // Its second line, when there is one, is the pool's statistics.
      if (typeof cause === "string") return cause.split("\n")[0].trim();
      return typeof parsed?.error === "string" ? parsed.error : reply;
    } catch {
      return reply;
    }
  },
};

function dialectOf(databaseUrl) {
  const { protocol } = new URL(databaseUrl);
  return protocol === "mysql:" || protocol === "mariadb:" ? MYSQL : POSTGRESQL;
}

// The URL for messages: without its password.
function withoutPassword(databaseUrl) {
  const where = new URL(databaseUrl);
  where.password = "";
  return where;
}

async function rawRequest(qpe, operation, type, sql, args = [], argTypes = []) {
  return qpe.fetch(new Request("http://localhost/query", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      operation,
      plan: { type, args: { type: "rawSql", sql, args, argTypes } },
      params: {},
    }),
  }));
}

// Runs statements on the maintenance database (`postgres`, or MySQL's `information_schema`) of
// the same server, through the executor itself, so that creating a throw-away database needs no
// other database client.
async function runOnMaintenanceDatabase(qpeModule, databaseUrl, statements, args) {
  const admin = dialectOf(databaseUrl).maintenanceUrl(databaseUrl);
  const qpe = await qpeModule.Server.create(executorOptions(qpeModule, admin, args));
  try {
    for (const sql of statements) {
      const response = await rawRequest(qpe, "executeRaw", "execute", sql);
      if (response.status !== 200) throw new Error(`${sql}: ${await response.text()}`);
    }
  } finally {
    await qpe.shutdown();
  }
}

// Mode `database`: whether a MySQL/MariaDB database exists (asked on information_schema),
// creating or dropping it when asked.
async function databaseQuestion(args) {
  const qpeModule = await import("@prisma/query-plan-executor");
  if (!args.databaseUrl) throw new Error("database mode needs --database-url mysql://…");
  const dialect = dialectOf(args.databaseUrl);
  if (!dialect.existsQuery) throw new Error("database mode answers for MySQL/MariaDB only");
  const dbName = decodeURIComponent(new URL(args.databaseUrl).pathname.slice(1));
  const admin = dialect.maintenanceUrl(args.databaseUrl);
  const qpe = await qpeModule.Server.create(executorOptions(qpeModule, admin, args));
  let exists;
  try {
    const { sql, argTypes } = dialect.existsQuery;
    const response = await rawRequest(qpe, "queryRaw", "query", sql, [dbName], argTypes);
    const reply = await response.text();
    if (response.status !== 200) {
      const { host } = new URL(args.databaseUrl);
      throw new Error(`${dialect.name} at ${host} does not answer: ${dialect.describeFailure(reply)}`);
    }
    exists = JSON.parse(reply).data.rows.length > 0;
  } finally {
    await qpe.shutdown();
  }
  const quoted = dialect.quoteIdent(dbName);
  if (args.action === "exists") return { exists };
  if (args.action === "create") {
    // IF NOT EXISTS: created meanwhile by someone else, it exists, which is what was asked.
    if (!exists) {
      await runOnMaintenanceDatabase(qpeModule, args.databaseUrl,
        [dialect.createStatement(quoted, true)], args);
    }
    return { exists: true, created: !exists };
  }
  if (args.action === "drop") {
    if (exists) {
      await runOnMaintenanceDatabase(qpeModule, args.databaseUrl,
        [dialect.dropStatement(quoted)], args);
    }
    return { exists: false, dropped: exists };
  }
  throw new Error(`unknown --action ${args.action}: use exists, create or drop`);
}

// Runs SELECT 1 on `qpe`; a failure shuts it down and throws, naming the server (never its
// password). `keep`: whether a successful `qpe` stays up, to serve.
async function probeDatabase(qpe, dialect, databaseUrl, keep) {
  const probe = await rawRequest(qpe, "queryRaw", "query", "SELECT 1");
  if (probe.status !== 200 || !keep) await qpe.shutdown();
  if (probe.status !== 200) {
    const where = withoutPassword(databaseUrl);
    throw new Error(`${dialect.name} at ${where} does not answer: ` +
      dialect.describeFailure(await probe.text()));
  }
}

async function startExecutor(args) {
  const qpeModule = await import("@prisma/query-plan-executor");
  if (!args.databaseUrl) throw new Error("executor mode needs --database-url postgres://…");
  const dialect = dialectOf(args.databaseUrl);
  const dbName = decodeURIComponent(new URL(args.databaseUrl).pathname.slice(1));
  const quoted = dialect.quoteIdent(dbName);
  const dropStatement = dialect.dropStatement(quoted);
  if (args.recreateDatabase === "1") {
    await runOnMaintenanceDatabase(qpeModule, args.databaseUrl,
      [dropStatement, dialect.createStatement(quoted)], args);
  }
  // The executor connects lazily: prove the database answers before announcing the server
  // (MySQL/MariaDB: before creating the serving executor, on one that gives up sooner).
  if (dialect.probeUrl) {
    const prober = await qpeModule.Server.create(
      executorOptions(qpeModule, dialect.probeUrl(args.databaseUrl), args));
    await probeDatabase(prober, dialect, args.databaseUrl, false);
  }
  const qpe = await qpeModule.Server.create(executorOptions(qpeModule, args.databaseUrl, args));
  if (!dialect.probeUrl) await probeDatabase(qpe, dialect, args.databaseUrl, true);
  // The hosted service checks the bearer key; so does this stand-in, so tests see real 401s.
  const apiKey = args.apiKey || randomBytes(24).toString("base64url");
  const expected = Buffer.from(`Bearer ${apiKey}`);
  const http = createServer(async (req, res) => {
    try {
      const given = Buffer.from(req.headers.authorization || "");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.writeHead(401, { "content-type": "text/plain" });
        res.end(req.headers.authorization ? "Invalid API Key" : "Missing API Key");
        return;
      }
      const body = req.method === "GET" || req.method === "HEAD" ? undefined : await readBody(req);
      if (req.url === "/invalidate" && req.method === "POST") {
        // Like `prisma dev`: no cache here, so invalidation only validates its input.
        let ok = false;
        try {
          const parsed = JSON.parse(body.toString("utf8"));
          ok = parsed.tags === "all" || (Array.isArray(parsed.tags) && parsed.tags.length > 0 &&
            parsed.tags.every((t) => typeof t === "string"));
        } catch {}
        res.writeHead(ok ? 200 : 400, { "content-type": "text/plain" });
        res.end(ok ? "" : "Invalid input");
        return;
      }
      const request = new Request(`http://${req.headers.host || "localhost"}${req.url}`, {
        method: req.method,
        headers: req.headers,
        body,
      });
      const response = await qpe.fetch(request);
      const headers = {};
      response.headers.forEach((value, key) => {
        headers[key] = value;
      });
      const payload = Buffer.from(await response.arrayBuffer());
      headers["content-length"] = String(payload.length);
      res.writeHead(response.status, headers);
      res.end(payload);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: String(error?.message || error) }));
    }
  });
  // Same keep-alive behaviour as `prisma dev` (Node's default: idle sockets closed after 5 s).
  http.keepAliveTimeout = 5000;
  await new Promise((resolve, reject) => {
    http.once("error", reject);
    http.listen(args.port, args.host, resolve);
  });
  const port = http.address().port;
  const url = `${dialect.announcedScheme}://localhost:${port}/?api_key=${apiKey}`;
  const close = async () => {
    http.closeAllConnections?.();
    await new Promise((resolve) => http.close(resolve));
    await qpe.shutdown();
    if (args.dropDatabaseOnExit === "1") {
      await runOnMaintenanceDatabase(qpeModule, args.databaseUrl, [dropStatement], args);
    }
  };
  return { url, port, databaseUrl: args.databaseUrl, close };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.mode === "database") {
    try {
      process.stdout.write(JSON.stringify({ ok: true, ...(await databaseQuestion(args)) }) + "\n");
      process.exit(0);
    } catch (error) {
      process.stdout.write(JSON.stringify({ ok: false, error: String(error?.message || error) }) + "\n");
      process.exit(1);
    }
  }
  const start = { dev: startDev, executor: startExecutor }[args.mode];
  if (!start) fail(`unknown mode ${args.mode}: use dev, executor or database`);
  let server;
  try {
    server = await start(args);
  } catch (error) {
    fail(error);
  }
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    const timer = setTimeout(() => process.exit(0), 5000);
    try {
      await server.close();
    } finally {
      clearTimeout(timer);
      process.exit(0);
    }
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
  process.stdin.on("end", shutdown);
  process.stdin.on("close", shutdown);
  process.stdin.resume();
  announce({ kind: args.mode, url: server.url, port: server.port, databaseUrl: server.databaseUrl });
}

main();
