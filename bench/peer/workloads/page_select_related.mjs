// Book.objects.select_related("author").filter(pages__gt=…).order_by("-price", "id")[:20]
export default async (prisma, pages) =>
  (
    await prisma.book.findMany({
      where: { pages: { gt: pages } },
      orderBy: [{ price: "desc" }, { id: "asc" }],
      take: 20,
      include: { author: true },
    })
  ).length;
