"""Admin catalog routes: items, boxes, drafts and publishing (SPEC §5)."""

from fastapi import APIRouter

from coffer.api.deps import AdminOperator, DbSession
from coffer.api.openapi import errors_for
from coffer.api.params import BoxId, ItemId, Page, PerPage
from coffer.catalog import boxes, items, publish
from coffer.catalog.boxes import BoxView
from coffer.catalog.models import Box, BoxVersion, Item
from coffer.catalog.schemas import (
    BoxBrief,
    BoxCreate,
    BoxList,
    BoxOut,
    BoxUpdate,
    DraftIn,
    DraftOut,
    ItemCreate,
    ItemList,
    ItemOut,
    ItemUpdate,
    Published,
    VersionSummary,
)
from coffer.catalog.traits import traits_of

router = APIRouter(prefix="/api/admin/operators/{slug}", tags=["admin: catalog"])


def item_out(item: Item) -> ItemOut:
    return ItemOut(
        item_id=item.id,
        name=item.name,
        type=item.type,
        image_url=item.image_url,
        value_minor=item.value_minor,
        currency=item.currency,
        cashback_minor=item.cashback_minor,
        cashback_bps=item.cashback_bps,
        shippable=item.shippable,
        custom_attributes=item.custom_attributes,
        created_at=item.created_at,
        updated_at=item.updated_at,
        **traits_of(item),
    )


def version_summary(version: BoxVersion) -> VersionSummary:
    return VersionSummary(
        box_version_id=version.id,
        version_number=version.version_number,
        price_minor=version.price_minor,
        currency=version.currency,
        house_edge_bps=version.house_edge_bps,
        total_weight=version.total_weight,
        snapshot_hash=version.snapshot_hash,
        published_at=version.published_at,
    )


def box_out(view: BoxView) -> BoxOut:
    box = view.box
    current = [v for v in view.versions if v.id == box.current_version_id]
    return BoxOut(
        box_id=box.id,
        name=box.name,
        slug=box.slug,
        is_active=box.is_active,
        image_url=box.image_url,
        custom_attributes=box.custom_attributes,
        draft=DraftOut.model_validate(box.draft),
        current_version=version_summary(current[0]) if current else None,
        versions=[version_summary(v) for v in view.versions],
        created_at=box.created_at,
        updated_at=box.updated_at,
    )


def box_brief(box: Box) -> BoxBrief:
    return BoxBrief(
        box_id=box.id,
        name=box.name,
        slug=box.slug,
        is_active=box.is_active,
        image_url=box.image_url,
        custom_attributes=box.custom_attributes,
        current_version_id=box.current_version_id,
        created_at=box.created_at,
        updated_at=box.updated_at,
    )


# -- admin: items --------------------------------------------------------------------------


@router.post("/items", status_code=201, responses=errors_for(401, 404, 422))
async def create_item(body: ItemCreate, operator: AdminOperator, session: DbSession) -> ItemOut:
    """Create an item priced in one of the operator's configured currencies."""
    item = await items.create_item(session, operator, body)
    await session.commit()
    return item_out(item)


@router.get("/items", responses=errors_for(401, 404, 422))
async def list_items(
    operator: AdminOperator, session: DbSession, page: Page = 1, per_page: PerPage = 50
) -> ItemList:
    """The operator's items, oldest first."""
    found, total = await items.list_items(session, operator, page, per_page)
    return ItemList(items=[item_out(i) for i in found], page=page, per_page=per_page, total=total)


@router.get("/items/{itemId}", responses=errors_for(401, 404, 422))
async def get_item(item_id: ItemId, operator: AdminOperator, session: DbSession) -> ItemOut:
    """One item."""
    return item_out(await items.get_item(session, operator, item_id))


@router.patch("/items/{itemId}", responses=errors_for(401, 404, 422))
async def update_item(
    item_id: ItemId, body: ItemUpdate, operator: AdminOperator, session: DbSession
) -> ItemOut:
    """Change any item field; names and images are live in every vault and box listing."""
    item = await items.update_item(session, operator, item_id, body)
    await session.commit()
    return item_out(item)


# -- admin: boxes --------------------------------------------------------------------------


@router.post("/boxes", status_code=201, responses=errors_for(401, 404, 409, 422))
async def create_box(body: BoxCreate, operator: AdminOperator, session: DbSession) -> BoxOut:
    """Create a box with a draft prize table; publish it to make it openable."""
    view = await boxes.create_box(session, operator, body)
    await session.commit()
    return box_out(view)


@router.get("/boxes", responses=errors_for(401, 404, 422))
async def list_boxes(
    operator: AdminOperator, session: DbSession, page: Page = 1, per_page: PerPage = 50
) -> BoxList:
    """The operator's boxes, active or not, oldest first."""
    found, total = await boxes.list_boxes(session, operator, page, per_page)
    return BoxList(boxes=[box_brief(b) for b in found], page=page, per_page=per_page, total=total)


@router.get("/boxes/{boxId}", responses=errors_for(401, 404, 422))
async def get_box(box_id: BoxId, operator: AdminOperator, session: DbSession) -> BoxOut:
    """A box with its draft, current version and every published version."""
    return box_out(await boxes.box_view(session, operator, box_id))


@router.put("/boxes/{boxId}/draft", responses=errors_for(401, 404, 422))
async def put_draft(
    box_id: BoxId, body: DraftIn, operator: AdminOperator, session: DbSession
) -> BoxOut:
    """Replace the draft price, currency and prizes; players see it only after a publish."""
    view = await boxes.put_draft(session, operator, box_id, body)
    await session.commit()
    return box_out(view)


@router.patch("/boxes/{boxId}", responses=errors_for(401, 404, 422))
async def update_box(
    box_id: BoxId, body: BoxUpdate, operator: AdminOperator, session: DbSession
) -> BoxOut:
    """Change name, isActive, imageUrl or customAttributes; never creates a version."""
    view = await boxes.update_box(session, operator, box_id, body)
    await session.commit()
    return box_out(view)


@router.post("/boxes/{boxId}/publish", status_code=201, responses=errors_for(401, 404, 409, 422))
async def publish_box(box_id: BoxId, operator: AdminOperator, session: DbSession) -> Published:
    """Freeze the draft into a new immutable version that supersedes the current one."""
    version = await publish.publish(session, operator, box_id)
    await session.commit()
    return Published(
        box_version_id=version.id,
        version_number=version.version_number,
        house_edge_bps=version.house_edge_bps,
        snapshot_hash=version.snapshot_hash,
    )
