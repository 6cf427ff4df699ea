"""schema.org data for the practice's pages, rendered as JSON-LD: a
`MedicalClinic` (with its opening hours) for a location and a `Physician` for
a clinician."""

from clinic.site_address import absolute_url

SCHEMA_DAYS = {
    1: "Monday",
    2: "Tuesday",
    3: "Wednesday",
    4: "Thursday",
    5: "Friday",
    6: "Saturday",
    7: "Sunday",
}


def opening_hours_specification(opening_hours):
    return [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": f"https://schema.org/{SCHEMA_DAYS[row.weekday]}",
            "opens": f"{row.opens:%H:%M}",
            "closes": f"{row.closes:%H:%M}",
        }
        for row in opening_hours
    ]


def medical_clinic(location, *, clinic_name):
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalClinic",
        "name": f"{clinic_name} — {location.name}",
        "url": absolute_url(location.get_absolute_url()),
        "openingHoursSpecification": opening_hours_specification(location.opening_hours.all()),
    }
    if location.address_lines:
        data["address"] = {
            "@type": "PostalAddress",
            "streetAddress": ", ".join(location.address_lines),
        }
    if location.phone:
        data["telephone"] = location.phone
    if location.email:
        data["email"] = location.email
    if location.map_url:
        data["hasMap"] = location.map_url
    return data


def physician(clinician):
    data = {
        "@context": "https://schema.org",
        "@type": "Physician",
        "name": clinician.name,
        "url": absolute_url(clinician.get_absolute_url()),
        "description": clinician.bio or clinician.role,
        "knowsLanguage": clinician.language_list,
    }
    if clinician.photo:
        data["image"] = absolute_url(clinician.photo.url)
    return data
