// with atomic(): five statements (read, insert, update, count, read)
export default async (prisma, id) =>
  prisma.$transaction(async (tx) => {
    const book = await tx.book.findUnique({ where: { id: BigInt(id) } });
    await tx.event.create({
      data: { kind: "atomic", payload: `book ${id}`, value: book.pages, created: new Date() },
    });
    await tx.book.updateMany({ where: { id: BigInt(id) }, data: { pages: { increment: 1 } } });
    const n = await tx.event.count({ where: { kind: "atomic" } });
    await tx.author.findUnique({ where: { id: book.authorId } });
    return n;
  });
