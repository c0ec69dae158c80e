// Book.objects.filter(pk=…).update(pages=F("pages") + 1)
export default async (prisma, id) =>
  (await prisma.book.updateMany({ where: { id: BigInt(id) }, data: { pages: { increment: 1 } } }))
    .count;
