// The peer of the benchmark: Prisma Client JS 7 with accelerateUrl, driven by bench/run.py.
// One JSON command per stdin line ({"workload": name, "arg": …}), one JSON answer per stdout line
// ({"ms": elapsed}); each workload lives in workloads/<name>.mjs and is timed here, inside Node,
// so that the pipe to Python is not part of the measurement.
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
// @prisma/client (and the client generated into it) lives in the cache dir that `npm ci` filled.
const require = createRequire(path.join(process.env.BENCH_PEER_DIR, "package.json"));
const { PrismaClient } = require("@prisma/client");

const prisma = new PrismaClient({ accelerateUrl: process.env.BENCH_ACCELERATE_URL });
await prisma.$connect();

const workloads = {};
async function load(name) {
  if (!workloads[name]) {
    const url = pathToFileURL(path.join(here, "workloads", `${name}.mjs`));
    workloads[name] = (await import(url)).default;
  }
  return workloads[name];
}

const out = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
out({ ready: true });

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const { workload, arg } = JSON.parse(line);
  try {
    const run = await load(workload);
    const start = performance.now();
    const check = await run(prisma, arg);
    out({ ms: performance.now() - start, check: String(check) });
  } catch (error) {
    out({ error: String(error?.stack || error) });
  }
}
await prisma.$disconnect();
