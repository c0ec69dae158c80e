// Prisma Client JS 7 on the same executor as django_side.py, run by
// tests/mysql/test_prisma_client_interop.py:
//
//   PRISMA_CLIENT_DIR=… ACCELERATE_URL=… node prisma_side.mjs write|read < input.json
//
// `write` creates owners with their items (nested writes) from the portable form that
// django_side.py documents and answers their ids; `read` answers every owner and item in it.
import { createRequire } from "node:module";

// @prisma/client, and the client generated into it from tests/mysql/schema.prisma.
const require = createRequire(`${process.env.PRISMA_CLIENT_DIR}/package.json`);
const { PrismaClient, Prisma } = require("@prisma/client");

const prisma = new PrismaClient({ accelerateUrl: process.env.ACCELERATE_URL });

async function stdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

const fromPortable = (item) => ({
  small: item.small,
  big: BigInt(item.big),
  price: new Prisma.Decimal(item.price),
  happened: new Date(item.happened),
  title: item.title,
  notes: item.notes,
  // A JSON null column is Prisma.DbNull (a plain null would be rejected for a Json? field).
  data: item.data === null ? Prisma.DbNull : item.data,
  blob: item.blob === null ? null : Uint8Array.from(Buffer.from(item.blob, "base64")),
  flag: item.flag,
  maybe: item.maybe,
  ratio: item.ratio,
});

const toPortable = (item, owner) => ({
  id: String(item.id),
  owner_id: String(item.ownerId),
  owner_name: owner.name,
  small: item.small,
  big: String(item.big),
  price: item.price.toFixed(),
  happened: item.happened.toISOString(),
  title: item.title,
  notes: item.notes,
  data: item.data,
  blob: item.blob === null ? null : Buffer.from(item.blob).toString("base64"),
  flag: item.flag,
  maybe: item.maybe,
  ratio: item.ratio,
});

async function write(owners) {
  return prisma.$transaction(async (tx) => {
    const ids = [];
    for (const owner of owners) {
      const saved = await tx.owner.create({
        data: { name: owner.name, items: { create: owner.items.map(fromPortable) } },
        include: { items: { orderBy: { id: "asc" } } },
      });
      ids.push({ id: String(saved.id), items: saved.items.map((item) => String(item.id)) });
    }
    return ids;
  });
}

async function read() {
  const owners = await prisma.owner.findMany({
    orderBy: { id: "asc" },
    include: { items: { orderBy: { id: "asc" }, include: { owner: true } } },
  });
  return owners.map((owner) => ({
    id: String(owner.id),
    name: owner.name,
    items: owner.items.map((item) => toPortable(item, item.owner)),
  }));
}

const command = process.argv[2];
try {
  const result = command === "write" ? await write(await stdin()) : await read();
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await prisma.$disconnect();
}
