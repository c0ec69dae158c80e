// Event.objects.create(…)
export default async (prisma, i) =>
  (
    await prisma.event.create({
      data: { kind: "single", payload: `event ${i}`, value: i, created: new Date() },
    })
  ).id;
