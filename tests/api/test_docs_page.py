"""/docs (Swagger UI) and /redoc come from Coffer's own files: they need no internet."""

import re

import httpx


async def test_the_docs_page_and_every_file_it_loads_come_from_coffer(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/docs", "/redoc"):
        page = await client.get(path)
        assert page.status_code == 200
        links = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert links, page.text
        assert all(link.startswith("/") and not link.startswith("//") for link in links), links
        for link in links:
            asset = await client.get(link)
            assert asset.status_code == 200, link
    bundle = await client.get("/docs/assets/swagger-ui-bundle.js")
    assert "javascript" in bundle.headers["content-type"]
    assert (await client.get("/openapi.json")).status_code == 200
