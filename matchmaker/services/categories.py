"""The category taxonomy: the starting list from the cooperation plan, and edits to it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from flask_babel import gettext as _

from matchmaker.models import Category, User
from matchmaker.services import validation as v

# (key, English, Japanese, Vietnamese) — points 2a–2j and 3 of the 2021 Joint Cooperation Plan.
DEFAULT_CATEGORIES = (
    ("climate-strategy", "Long-term strategies & emission scenarios (AIM)", "長期戦略・排出シナリオ分析（AIM）", "Chiến lược dài hạn và kịch bản phát thải (AIM)"),
    ("city-to-city", "City-to-city decarbonisation (e.g. Kitakyushu–Hai Phong)", "都市間連携による脱炭素化", "Hợp tác giữa các thành phố về giảm phát thải"),
    ("mrv-transparency", "MRV, GHG inventories & transparency", "MRV・温室効果ガスインベントリ・透明性", "MRV, kiểm kê khí nhà kính và minh bạch"),
    ("jcm", "Joint Crediting Mechanism projects", "二国間クレジット制度（JCM）", "Cơ chế tín chỉ chung (JCM)"),
    ("hydrogen", "Hydrogen", "水素", "Hydro"),
    ("ccus", "CCUS & carbon recycling", "CCUS・カーボンリサイクル", "CCUS và tái chế carbon"),
    ("carbon-market", "Carbon markets & carbon pricing", "炭素市場・カーボンプライシング", "Thị trường carbon và định giá carbon"),
    ("capacity-building", "Capacity building & training", "能力構築・人材育成", "Nâng cao năng lực và đào tạo"),
    ("finance", "Finance & private-sector mobilisation", "資金・民間資金の動員", "Tài chính và huy động khu vực tư nhân"),
    ("waste-to-energy", "Waste management, 3R & waste-to-energy", "廃棄物管理・3R・廃棄物発電", "Quản lý chất thải, 3R và điện rác"),
    ("fluorocarbons", "Fluorocarbon life-cycle management", "フロン類のライフサイクル管理", "Quản lý vòng đời các chất fluorocarbon"),
    ("marine-plastic", "Marine plastic & circular economy", "海洋プラスチック・循環経済", "Rác thải nhựa đại dương và kinh tế tuần hoàn"),
    ("renewable-energy", "Renewable energy", "再生可能エネルギー", "Năng lượng tái tạo"),
    ("energy-efficiency", "Energy efficiency", "省エネルギー", "Sử dụng năng lượng tiết kiệm và hiệu quả"),
    ("mobility", "Low-carbon transport", "低炭素交通", "Giao thông phát thải thấp"),
    ("water", "Water & wastewater", "水・排水処理", "Cấp nước và xử lý nước thải"),
    ("agriculture", "Agriculture, forestry & land use", "農業・森林・土地利用", "Nông nghiệp, lâm nghiệp và sử dụng đất"),
)


def seed_categories(session: Session) -> int:
    """Add the default categories that are missing; return how many were added."""
    existing = set(session.scalars(select(Category.key)))
    added = 0
    for position, (key, en, ja, vi) in enumerate(DEFAULT_CATEGORIES):
        if key not in existing:
            session.add(Category(key=key, name_en=en, name_ja=ja, name_vi=vi, position=position))
            added += 1
    session.flush()
    return added


def list_categories(session: Session) -> list[Category]:
    """All categories in display order."""
    return list(session.scalars(select(Category).order_by(Category.position, Category.key)))


def categories_by_keys(session: Session, field: str, keys: list[str]) -> list[Category]:
    """Return the categories for *keys*; reject unknown keys naming them."""
    wanted = [k.strip().lower() for k in keys if k and k.strip()]
    found = {c.key: c for c in session.scalars(select(Category).where(Category.key.in_(wanted)))}
    unknown = [k for k in wanted if k not in found]
    if unknown:
        raise v.ValidationError(field, _("Unknown category: %(keys)s.", keys=", ".join(unknown)))
    return [found[k] for k in dict.fromkeys(wanted)]


def _new_key(session: Session, key: str) -> str:
    key = v.text("key", key, max_length=40).lower()
    if not all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in key):
        raise v.ValidationError("key", _("Use lower-case letters, digits and hyphens only."))
    if session.scalar(select(Category).where(Category.key == key)):
        raise v.ValidationError("key", _("A category with this key already exists."))
    return key


def save_category(session: Session, actor: User, *, key: str, names: dict[str, str], category: Category | None = None) -> Category:
    """Create or rename a category (organisers only). The key never changes once created."""
    if not actor.is_organiser:
        raise PermissionError("organisers only")
    check = v.Checks()
    cleaned = {lang: check(v.text, f"name_{lang}", names.get(lang), max_length=120) for lang in ("ja", "vi", "en")}
    if category is None:
        key = check(_new_key, session, key)
    check.done()
    if category is None:
        position = len(list_categories(session))
        category = Category(key=key, position=position, name_ja="", name_vi="", name_en="")
        session.add(category)
    category.name_ja, category.name_vi, category.name_en = cleaned["ja"], cleaned["vi"], cleaned["en"]
    session.flush()
    return category
