"""Reading the test database directly, for negative checks (nothing was written)."""

from coffer.runtime import Runtime


async def count_rows(runtime: Runtime, model: type[object]) -> int:
    from sqlalchemy import func, select

    async with runtime.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())
