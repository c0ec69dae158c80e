// Starts one local Prisma server and prints one JSON line on stdout when it is ready:
//   {"ready": true, "url": "prisma+postgres://localhost:PORT/?api_key=…", "kind": …, "port": …}
// Modes:
//   dev       the official local Prisma Postgres (@prisma/dev: PGlite behind Prisma's executor)
//   executor  Prisma's query-plan executor in front of a real PostgreSQL (--database-url)
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
          srv.listen(0, "127.0.0.1", () => resolve(srv.address().port));
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(servers.map((srv) => new Promise((resolve) => srv.close(() => resolve()))));
  }
}

async function startDev(args) {
  const { startPrismaDevServer } = await import("@prisma/dev");
  const [free, databasePort, shadowDatabasePort, streamsPort] = await freePorts(4);
  const port = args.port || free;
  const server = await startPrismaDevServer({
    name: args.name,
    port,
    databasePort,
    shadowDatabasePort,
    streamsPort,
    // "stateful" keeps the database in @prisma/dev's data directory under --name (kept test
    // databases); by default it lives in memory and ends with the server.
    persistenceMode: args.persistence === "stateful" ? "stateful" : "stateless",
  });
  const url = server.exports?.ppg?.url ?? server.ppg?.url;
  const databaseUrl = server.exports?.database?.connectionString ?? server.database?.connectionString;
  return { url, port, databaseUrl, close: () => server.close() };
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

// Runs statements on the maintenance database `postgres` of the same server, through the
// executor itself, so that creating a throw-away database needs no other PostgreSQL client.
async function runOnMaintenanceDatabase(qpeModule, databaseUrl, statements, args) {
  const admin = new URL(databaseUrl);
  admin.pathname = "/postgres";
  const qpe = await qpeModule.Server.create(executorOptions(qpeModule, admin.toString(), args));
  try {
    for (const sql of statements) {
      const response = await qpe.fetch(new Request("http://localhost/query", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          operation: "executeRaw",
          plan: { type: "execute", args: { type: "rawSql", sql, args: [], argTypes: [] } },
          params: {},
        }),
      }));
      if (response.status !== 200) throw new Error(`${sql}: ${await response.text()}`);
    }
  } finally {
    await qpe.shutdown();
  }
}

function quoteIdent(name) {
  return '"' + name.replaceAll('"', '""') + '"';
}

async function startExecutor(args) {
  const qpeModule = await import("@prisma/query-plan-executor");
  if (!args.databaseUrl) throw new Error("executor mode needs --database-url postgres://…");
  const dbName = decodeURIComponent(new URL(args.databaseUrl).pathname.slice(1));
  const dropStatement = `DROP DATABASE IF EXISTS ${quoteIdent(dbName)} WITH (FORCE)`;
  if (args.recreateDatabase === "1") {
    await runOnMaintenanceDatabase(qpeModule, args.databaseUrl,
      [dropStatement, `CREATE DATABASE ${quoteIdent(dbName)}`], args);
  }
  const qpe = await qpeModule.Server.create(executorOptions(qpeModule, args.databaseUrl, args));
  // The executor connects lazily: prove the database answers before announcing the server.
  const probe = await qpe.fetch(new Request("http://localhost/query", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      operation: "queryRaw",
      plan: { type: "query", args: { type: "rawSql", sql: "SELECT 1", args: [], argTypes: [] } },
      params: {},
    }),
  }));
  if (probe.status !== 200) {
    await qpe.shutdown();
    const where = new URL(args.databaseUrl);
    where.password = "";
    throw new Error(`PostgreSQL at ${where} does not answer: ${await probe.text()}`);
  }
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
  const url = `prisma+postgres://localhost:${port}/?api_key=${apiKey}`;
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
  const start = { dev: startDev, executor: startExecutor }[args.mode];
  if (!start) fail(`unknown mode ${args.mode}: use dev or executor`);
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
