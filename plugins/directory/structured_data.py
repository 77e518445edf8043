"""schema.org JSON-LD for each profile page, for search engines and open-data crawlers.

Startups and programs are schema.org Organizations; mentors are Persons. A program could have
been an EducationalOccupationalProgram, but that type describes courses that lead to an
occupation (its properties are credentials, salaries, tuition, and search engines' rich results
for it require them), while our programs (incubators, accelerators, residencies, challenges,
fellowships) are organisations that startups join: Organization says that, with the startups'
memberOf pointing at them and the operator as parentOrganization.
"""

from __future__ import annotations

from .relations import Directory
from .validation import Profile

CONTEXT = "https://schema.org"


def organization(name: str) -> dict:
    return {"@type": "Organization", "name": name}


def structured_data(directory: Directory, profile: Profile) -> dict:
    related = directory.related[profile.key]
    data = {"@context": CONTEXT,
            "@type": "Person" if profile.kind == "mentor" else "Organization",
            "name": profile.name, "description": profile.summary}
    if profile.website:
        data["url"] = profile.website
        data["sameAs"] = [profile.website]
    if profile.city and profile.kind == "mentor":
        data["workLocation"] = {"@type": "Place", "name": profile.city}
    elif profile.city:
        data["address"] = {"@type": "PostalAddress", "addressLocality": profile.city}
        if profile.region:
            data["address"]["addressRegion"] = profile.region
    founded = profile.founded or profile.launched
    if founded:
        data["foundingDate"] = str(founded)
    if profile.sectors:
        data["knowsAbout"] = list(profile.sectors)
    if profile.kind == "startup" and related["program"]:
        data["memberOf"] = [organization(program.name) for program in related["program"]]
    if profile.kind == "program" and profile.operator:
        data["parentOrganization"] = organization(profile.operator)
    if profile.kind == "mentor":
        if profile.role:
            data["jobTitle"] = profile.role
        affiliations = related["program"] + related["startup"]
        if affiliations:
            data["affiliation"] = [organization(other.name) for other in affiliations]
    return data
