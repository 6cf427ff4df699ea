import json
import re


def routine_plans(response):
    """The timer plans a routine page hands its script, by stretch slug."""
    html = response.content.decode()
    data = re.search(
        r'<script id="routine-plans" type="application/json">(.*?)</script>', html, re.S
    )
    return {plan["slug"]: plan for plan in json.loads(data.group(1))}
