from django.core.management.base import BaseCommand
from django.db import transaction

from clinic.models import ContentVersion
from stretches.models import Guide, GuideStretch, Keyword, Step, Stretch

STEPS = [
    "Lie on your back with your knees bent and feet flat on the floor.",
    "Breathe out slowly as you ease into the stretch, keeping your back relaxed.",
    "Hold, breathing steadily, then return gently to the starting position.",
]


class Command(BaseCommand):
    help = (
        "Adds published sample stretches and keywords, to measure the site with a large "
        "catalogue (the benchmark, the query-count tests). Not for a real site."
    )

    def add_arguments(self, parser):
        parser.add_argument("--stretches", type=int, default=1000)
        parser.add_argument("--keywords", type=int, default=100)
        parser.add_argument("--guide", help="Also list the new stretches in this guide (slug).")

    @transaction.atomic
    def handle(self, *args, stretches, keywords, guide, **options):
        add_sample_stretches(stretches, keywords, guide_slug=guide)
        self.stdout.write(f"Added {stretches} stretches and {keywords} keywords.")


def add_sample_stretches(count, keyword_count, guide_slug=None):
    """Bulk-creates `count` stretches, each with three steps and three keywords:
    two of `keyword_count` new ones and one of the keywords already there, so
    the existing keyword pages grow too."""
    start = Stretch.objects.count() + 1
    existing_keywords = list(Keyword.objects.all())
    new_keywords = Keyword.objects.bulk_create(
        Keyword(name=f"sample keyword {start}-{n}", slug=f"sample-keyword-{start}-{n}")
        for n in range(keyword_count)
    )
    stretches = Stretch.objects.bulk_create(
        Stretch(
            title=f"Sample stretch {n}",
            slug=f"sample-stretch-{n}",
            position=1000 + n,
            benefit="Eases stiffness in the lower back and improves the range of movement.",
            hold_min_seconds=20,
            hold_max_seconds=30,
            each_side=n % 2 == 0,
        )
        for n in range(start, start + count)
    )
    Step.objects.bulk_create(
        Step(stretch=stretch, position=position, text=text)
        for stretch in stretches
        for position, text in enumerate(STEPS, start=1)
    )
    links = []
    for n, stretch in enumerate(stretches):
        chosen = [new_keywords[(n + i) % keyword_count] for i in range(min(2, keyword_count))]
        if existing_keywords:
            chosen.append(existing_keywords[n % len(existing_keywords)])
        links += [
            Stretch.keywords.through(stretch=stretch, keyword=keyword, position=position)
            for position, keyword in enumerate(dict.fromkeys(chosen), start=1)
        ]
    Stretch.keywords.through.objects.bulk_create(links)
    if guide_slug:
        guide = Guide.objects.get(slug=guide_slug)
        after = guide.guide_stretches.count()
        GuideStretch.objects.bulk_create(
            GuideStretch(guide=guide, stretch=stretch, position=after + n)
            for n, stretch in enumerate(stretches, start=1)
        )
    # Bulk writes send no signals: tell the page cache ourselves.
    ContentVersion.bump()
    return stretches
