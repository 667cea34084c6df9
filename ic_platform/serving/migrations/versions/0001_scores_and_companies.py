"""The scores and companies tables, with the indexes the API's queries need.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from ic_platform.schemas.scores import FACTOR_METRICS

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "scores",
        sa.Column("ticker", sa.String(16), primary_key=True),
        sa.Column("date", sa.Date, primary_key=True),
        sa.Column("overall_score", sa.SmallInteger, nullable=False),
        sa.Column("rating", sa.String(16), nullable=False),
        *(sa.Column(factor, sa.Float) for factor in FACTOR_METRICS),
        sa.Column("sector_percentile", sa.Float, nullable=False),
        sa.Column("data_completeness", sa.Float, nullable=False),
        sa.Column("confidence_level", sa.String(8), nullable=False),
        sa.Column("gics_sector", sa.String(32)),
        sa.Column("inputs_knowledge_date", sa.Date, nullable=False),
    )
    op.create_index("scores_by_day", "scores", ["date", "overall_score"])
    op.create_index("scores_by_sector_and_day", "scores", ["gics_sector", "date"])
    op.create_table(
        "companies",
        sa.Column("ticker", sa.String(16), primary_key=True),
        sa.Column("cik", sa.BigInteger, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("gics_sector", sa.String(32)),
    )


def downgrade() -> None:
    op.drop_table("companies")
    op.drop_table("scores")
