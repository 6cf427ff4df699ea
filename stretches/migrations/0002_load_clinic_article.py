"""Loads the clinic's article "seven daily stretches for back pain", word for
word as published on the clinic's blog, so that a fresh `migrate` gives the
real site. Staff edit it in the admin from then on; the text lives here, not
in a file read at run time."""

from django.db import migrations
from django.utils.text import slugify

GUIDE = {
    "title": "7 Daily Stretches for Back Pain Relief",
    "slug": "daily-stretches-for-back-pain",
    "summary": (
        "Seven essential stretches for back pain relief that you can do every day: "
        "how each one helps and how to do it."
    ),
}

INTRO = (
    "Back pain is a common issue that affects people of all ages, often disrupting daily "
    "routines and reducing quality of life. Whether caused by prolonged sitting, poor "
    "posture, or underlying health conditions, back pain can feel relentless. However, "
    "incorporating stretching into your daily routine can significantly alleviate discomfort "
    "and support spine health. This post highlights seven essential stretches for back pain "
    "relief that you can do every day to help manage the pain, improve flexibility, and "
    "promote overall well-being."
)

WHY_HEADING = "Why Stretching Is Crucial for Back Pain Relief"
WHY = (
    "Stretching is not just for athletes; it’s an effective way to enhance mobility, reduce "
    "stiffness, and improve posture. By elongating muscles and increasing blood flow to the "
    "back, stretches can relieve tension, support lower back pain relief, and promote better "
    "spinal alignment. Regular stretching can also prevent future injuries and contribute to "
    "long-term pain management."
)

STRETCHES = [
    {
        "title": "Child’s Pose",
        "slug": "childs-pose",
        "benefit": (
            "Child’s pose is a gentle yoga stretch that elongates the spine, relieves tension "
            "in the lower back, and promotes relaxation."
        ),
        "steps": [
            "Begin on your hands and knees in a tabletop position.",
            "Sit back on your heels and extend your arms forward on the floor.",
            "Lower your chest toward your knees and rest your forehead on the mat.",
            "Hold this position for 20-30 seconds, breathing deeply.",
        ],
        "keywords": ["back pain relief", "lower back pain relief", "pain relief management"],
        "hold": (20, 30),
    },
    {
        "title": "Cat-Cow Stretch",
        "slug": "cat-cow-stretch",
        "benefit": (
            "This dynamic stretch improves spinal mobility and targets back spine pain relief "
            "by alternating between arching and rounding the back."
        ),
        "steps": [
            "Start on your hands and knees in a tabletop position.",
            "Inhale as you arch your back, lifting your head and tailbone toward the ceiling "
            "(cow pose).",
            "Exhale as you round your back, tucking your chin and pelvis inward (cat pose).",
            "Repeat the movement 5-10 times, flowing with your breath.",
        ],
        "keywords": ["manage the pain", "spine health", "advanced pain management"],
        "repeat": (5, 10),
    },
    {
        "title": "Knee-to-Chest Stretch",
        "slug": "knee-to-chest-stretch",
        "benefit": (
            "This stretch gently stretches the lower back and hips, reducing tension and "
            "providing relief for chronic pain."
        ),
        "steps": [
            "Lie flat on your back with your legs extended.",
            "Bend one knee and bring it toward your chest, holding it with both hands.",
            "Keep the opposite leg straight or bent with the foot flat on the floor.",
            "Hold for 20-30 seconds, then switch sides.",
        ],
        "keywords": ["chronic pain", "back spine pain relief", "lower back pain relief"],
        "hold": (20, 30),
        "each_side": True,
    },
    {
        "title": "Seated Spinal Twist",
        "slug": "seated-spinal-twist",
        "benefit": (
            "The seated spinal twist stretches the spine, shoulders, and hips, improving "
            "flexibility and aiding in pain relief for back pain."
        ),
        "steps": [
            "Sit on the floor with both legs extended.",
            "Bend your right knee and place your foot on the outside of your left thigh.",
            "Place your right hand behind you for support and your left elbow on the outside "
            "of your right knee.",
            "Twist your torso to the right, looking over your shoulder.",
            "Hold for 20-30 seconds and repeat on the other side.",
        ],
        "keywords": ["advanced pain management", "pain relief management", "spine health"],
        "hold": (20, 30),
        "each_side": True,
    },
    {
        "title": "Cobra Stretch",
        "slug": "cobra-stretch",
        "benefit": (
            "The cobra stretch targets the lower back and abdominal muscles, providing a "
            "gentle yet effective way to manage the pain and improve spinal flexibility."
        ),
        "steps": [
            "Lie face down on the floor with your hands under your shoulders.",
            "Press into your palms to lift your chest off the floor, keeping your elbows "
            "slightly bent.",
            "Avoid over-arching your back and keep your pelvis grounded.",
            "Hold for 10-20 seconds, breathing deeply.",
        ],
        "keywords": ["lower back pain relief", "back spine pain relief", "manage the pain"],
        "hold": (10, 20),
    },
    {
        "title": "Figure Four Stretch",
        "slug": "figure-four-stretch",
        "benefit": (
            "This stretch focuses on the hips and glutes, which can contribute to back pain "
            "if tight or imbalanced."
        ),
        "steps": [
            "Lie on your back with your knees bent and feet flat on the floor.",
            "Cross your right ankle over your left thigh, forming a “4” shape.",
            "Grasp the back of your left thigh and gently pull it toward your chest.",
            "Hold for 20-30 seconds, then switch sides.",
        ],
        "keywords": ["pain relief for back pain", "chronic pain", "advanced pain management"],
        "hold": (20, 30),
        "each_side": True,
    },
    {
        "title": "Standing Forward Bend",
        "slug": "standing-forward-bend",
        "benefit": (
            "This stretch elongates the hamstrings and lower back, reducing tension and "
            "supporting pain relief for chronic pain sufferers."
        ),
        "steps": [
            "Stand with your feet hip-width apart.",
            "Hinge at your hips and fold forward, allowing your head to hang toward the floor.",
            "Keep your knees slightly bent if needed to avoid strain.",
            "Hold for 20-30 seconds, breathing deeply.",
        ],
        "keywords": ["back pain relief", "manage the pain", "lower back pain relief"],
        "hold": (20, 30),
    },
]

TIPS_HEADING = "Tips for Effective Stretching"
TIPS = [
    (
        "Warm Up First:",
        "Before stretching, do a quick warm-up like walking or gentle yoga to prepare your "
        "muscles.",
    ),
    ("Be Consistent:", "Aim to stretch daily for the best results in pain relief management."),
    ("Listen to Your Body:", "Avoid forcing any stretch that causes pain or discomfort."),
    (
        "Combine with Other Techniques:",
        "Stretching works best when paired with other pain management strategies like "
        "exercise, proper posture, and laser therapy.",
    ),
]

DOCTOR_HEADING = "The Role of a Pain Doctor"
DOCTOR = (
    "If your back pain persists despite regular stretching, it’s essential to consult a pain "
    "doctor. They can provide advanced pain management options, including laser therapy or "
    "physical therapy, tailored to your condition. Combining professional care with these "
    "daily stretches can help manage the pain effectively and promote long-term back spine "
    "pain relief."
)

CLOSING = (
    "Stretching is a simple yet powerful tool for managing back pain naturally. By "
    "incorporating these seven stretches into your daily routine, you can improve "
    "flexibility, alleviate discomfort, and support your overall spine health. For "
    "persistent or severe pain, consult a professional to explore additional pain relief "
    "management options."
)


def load_article(apps, schema_editor):
    Guide = apps.get_model("stretches", "Guide")
    GuideSection = apps.get_model("stretches", "GuideSection")
    SectionPoint = apps.get_model("stretches", "SectionPoint")
    GuideStretch = apps.get_model("stretches", "GuideStretch")
    Stretch = apps.get_model("stretches", "Stretch")
    Step = apps.get_model("stretches", "Step")
    Keyword = apps.get_model("stretches", "Keyword")
    StretchKeyword = apps.get_model("stretches", "StretchKeyword")

    if Guide.objects.filter(slug=GUIDE["slug"]).exists():
        return

    guide = Guide.objects.create(is_homepage=True, published=True, **GUIDE)

    def section(position, heading="", body="", kind="text"):
        return GuideSection.objects.create(
            guide=guide, position=position, heading=heading, body=body, kind=kind
        )

    section(1, body=INTRO)
    section(2, heading=WHY_HEADING, body=WHY)
    section(3, kind="stretches")
    tips = section(4, heading=TIPS_HEADING)
    for position, (lead_in, text) in enumerate(TIPS, start=1):
        SectionPoint.objects.create(section=tips, position=position, lead_in=lead_in, text=text)
    section(5, heading=DOCTOR_HEADING, body=DOCTOR)
    section(6, body=CLOSING)

    for position, data in enumerate(STRETCHES, start=1):
        hold_min, hold_max = data.get("hold", (None, None))
        repeat_min, repeat_max = data.get("repeat", (None, None))
        stretch = Stretch.objects.create(
            title=data["title"],
            slug=data["slug"],
            position=position,
            benefit=data["benefit"],
            hold_min_seconds=hold_min,
            hold_max_seconds=hold_max,
            repeat_min=repeat_min,
            repeat_max=repeat_max,
            each_side=data.get("each_side", False),
            published=True,
        )
        GuideStretch.objects.create(guide=guide, stretch=stretch, position=position)
        for step_position, text in enumerate(data["steps"], start=1):
            Step.objects.create(stretch=stretch, position=step_position, text=text)
        for keyword_position, name in enumerate(data["keywords"], start=1):
            keyword, _ = Keyword.objects.get_or_create(name=name, defaults={"slug": slugify(name)})
            StretchKeyword.objects.create(
                stretch=stretch, keyword=keyword, position=keyword_position
            )


def unload_article(apps, schema_editor):
    apps.get_model("stretches", "Guide").objects.filter(slug=GUIDE["slug"]).delete()
    apps.get_model("stretches", "Stretch").objects.filter(
        slug__in=[data["slug"] for data in STRETCHES]
    ).delete()
    names = {name for data in STRETCHES for name in data["keywords"]}
    apps.get_model("stretches", "Keyword").objects.filter(
        name__in=names, stretch_links__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("stretches", "0001_initial")]

    operations = [migrations.RunPython(load_article, unload_article)]
