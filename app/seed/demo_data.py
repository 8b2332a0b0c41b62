"""Deterministic demo data for a county's roster of reserve village cadres (村级后备干部).

Pure Python, no database and no Flask. ``generate_county`` lays out the townships and their
villages, ``generate_candidates`` yields roster rows with valid 18-digit ID numbers and
``generate_people_names`` gives names for mentors and the like. Each call draws only from its
own ``random.Random(seed)``, so the same arguments always give the same data.
"""

from __future__ import annotations

import datetime
import random
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from app.core.codes import Direction, Education, Ethnicity, Gender, Political, Source, Status

T = TypeVar("T")
Table = tuple[tuple[T, ...], tuple[float, ...]]

COUNTY_REGION_CODE = "430521"
# Home county first; the rest are neighbours whose people married or moved in.
REGION_CODE_WEIGHTS = {COUNTY_REGION_CODE: 86, "430522": 5, "430523": 4, "430524": 3, "430503": 2}
# GB 11643 (ISO 7064 MOD 11-2): weights of the first 17 digits, check character by sum % 11.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


def _table(weights: dict[T, float] | Sequence[tuple[T, float]]) -> Table[T]:
    """A (values, cumulative shares) pair for fast weighted picks with ``bisect_right``."""
    items = list(weights.items()) if isinstance(weights, dict) else list(weights)
    total = float(sum(w for _, w in items))
    cum: list[float] = []
    acc = 0.0
    for _, w in items:
        acc += w
        cum.append(acc / total)
    cum[-1] = 1.0
    return tuple(v for v, _ in items), tuple(cum)


def _codes(enum: Callable[[str], object], weights: dict[str, float]) -> Table[str]:
    """Like ``_table`` but checks every key is a value of the code list ``enum``."""
    for value in weights:
        enum(value)
    return _table(weights)


# --- Townships and villages -----------------------------------------------------------------

SUBDISTRICT = "城关街道"
TOWNS = (
    "太平镇 白沙镇 龙潭镇 石门镇 长乐镇 金桥镇 黄土铺镇 枫林镇 新田铺镇 双凤镇 桃花镇 水口镇 "
    "观音阁镇 杨柳镇 高桥镇"
).split()
XIANGS = "青石乡 双河乡 大禾乡 莲花乡 杉木乡 界岭乡 高峰乡 梅塘乡 九龙乡".split()
COMMUNITY_STEMS = (
    "新华 人民路 建设 城北 城南 东门 西门 和平 解放 文昌 五一 南街 北街 中山 桥头 府前 育才 "
    "花园 滨江 车站 工农 迎宾"
).split()
VILLAGE_SURNAMES = (
    "张 王 李 刘 陈 杨 黄 周 吴 马 罗 谢 唐 彭 曾 邓 肖 谭 廖 胡 何 袁 毛 蒋 石 龙 曹 钟 贺 邹 "
    "易 尹 颜 向 黎 伍 聂 段"
).split()
FAMILY_PLACES = "湾 坪 岭 冲 坝 沟 庄 寨 桥 塘 垭 山 铺 院子 坳 岗 湖 洲 园".split()
TREES = "枫 柳 杉 樟 桃 梨 松 柏 茶 桂 槐 栗 桐".split()
TREE_PLACES = "湾 坪 冲 岭 坳 塘 桥 坡 山".split()
NATURE_STEMS = (
    "石桥 桃花 青龙 白果 松林 竹山 新塘 茶园 荷塘 梅溪 黄泥塘 石井 龙泉 凤凰 狮子山 大塘 长冲 "
    "高坪 回龙 观音 清水 金竹 牛角 马鞍 白马 鹤鸣 上湾 下湾 中坪 东山 西岭 南冲 北塘 大坪 小溪 "
    "清溪 双井 三桥 五峰 九龙 桂花 莲塘 红岩 黄岩 白泉 青山 金塘 龙塘 凤山 长塘 新田 老屋 大田 "
    "水口 沙坪 石板 铁炉 岩口 井头 塘边 田心 山口 岭脚 龙山 龟山 鲤鱼 竹林 杉山 花桥 红花 银山 "
    "泉塘 麻塘 鸡公山 天井 月塘 枫林 栗山 茶山 桐子坳 油麻 荷叶 石笋 观山 仙鹅"
).split()
ERA_STEMS = (
    "新华 红旗 光明 和平 东风 胜利 团结 先锋 新民 建设 前进 幸福 民主 群英 新建 联合 永兴 兴旺 "
    "丰收 五星 红星 富民 东方 向阳 青年 友谊 长征 新风"
).split()


@dataclass
class TownshipSpec:
    """A township (镇/乡/街道) and the villages or communities under it."""

    name: str
    villages: list[str] = field(default_factory=list)


def _village_name(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.35:
        return f"{rng.choice(VILLAGE_SURNAMES)}家{rng.choice(FAMILY_PLACES)}村"
    if roll < 0.45:
        return f"{rng.choice(TREES)}树{rng.choice(TREE_PLACES)}村"
    if roll < 0.85:
        return f"{rng.choice(NATURE_STEMS)}村"
    return f"{rng.choice(ERA_STEMS)}村"


def _stem(township: str) -> str:
    return township.removesuffix("街道").removesuffix("镇").removesuffix("乡")


def _township(rng: random.Random, name: str, taken: set[str]) -> TownshipSpec:
    """One township; ``taken`` holds the names composed villages must avoid, and grows."""
    stem = _stem(name)
    names: list[str] = []
    if name.endswith("街道"):
        names += [f"{s}社区" for s in rng.sample(COMMUNITY_STEMS, rng.randint(7, 10))]
        want = len(names) + rng.randint(1, 3)  # suburban villages still under the subdistrict
    else:
        if rng.random() < (0.75 if name.endswith("镇") else 0.3):
            names.append(f"{stem}社区")  # the township seat
        if rng.random() < 0.4:
            names.append(f"{stem}村")
        want = rng.randint(8, 15)
    taken.update(names)
    while len(names) < want:
        village = _village_name(rng)
        if village not in taken:
            taken.add(village)
            names.append(village)
    return TownshipSpec(name, names)


def generate_county(seed: int) -> list[TownshipSpec]:
    """About 20 townships (one 街道, then 镇 and 乡), each with 8-15 villages or communities.

    Village names are unique within the whole county, not only within their township.
    """
    rng = random.Random(seed)
    towns = sorted(rng.sample(TOWNS, rng.randint(13, 14)), key=TOWNS.index)
    xiangs = sorted(rng.sample(XIANGS, rng.randint(5, 6)), key=XIANGS.index)
    townships = [SUBDISTRICT, *towns, *xiangs]
    # Seat villages are named after their township: keep those names for them.
    taken = {f"{_stem(t)}{kind}" for t in townships for kind in ("村", "社区")}
    return [_township(rng, township, taken) for township in townships]


# --- Names ------------------------------------------------------------------------------------

SURNAMES = _table(
    {
        "王": 71, "李": 70, "张": 67, "刘": 56, "陈": 46, "杨": 31, "黄": 24, "赵": 23, "吴": 20,
        "周": 20, "徐": 15, "孙": 15, "马": 14, "朱": 13, "胡": 12, "郭": 11, "何": 11, "罗": 12,
        "林": 10, "高": 10, "郑": 9, "梁": 9, "谢": 9, "唐": 10, "彭": 9, "曾": 9, "邓": 9, "肖": 8,
        "宋": 7, "许": 7, "韩": 7, "冯": 7, "曹": 7, "田": 6, "董": 6, "袁": 6, "潘": 5.5,
        "于": 5, "蒋": 6, "蔡": 5, "余": 5, "杜": 5, "叶": 4.5, "程": 4.5, "苏": 4.5, "魏": 4.5,
        "吕": 4.5, "丁": 4, "任": 4, "沈": 4, "姚": 4, "卢": 4, "姜": 3.5, "崔": 3, "钟": 3.5,
        "谭": 7, "陆": 3, "汪": 3, "范": 3, "金": 3, "石": 3.5, "廖": 4, "贾": 3, "夏": 3,
        "韦": 2.5, "付": 3, "方": 3, "白": 2.5, "邹": 3, "孟": 2.5, "熊": 2.5, "秦": 2.5,
        "邱": 2.5, "江": 2.5, "尹": 3, "薛": 2, "闫": 2, "段": 2, "雷": 2, "侯": 2, "龙": 2.5,
        "史": 2, "陶": 2, "黎": 2, "贺": 3, "顾": 2, "毛": 2, "郝": 1.5, "龚": 1.5, "邵": 1.5,
        "万": 1.5, "钱": 1.5, "严": 1.5, "武": 1.5, "戴": 1.5, "莫": 1.5, "孔": 1.5, "向": 2,
        "汤": 1.5, "易": 2, "伍": 1.5, "聂": 1, "文": 1, "颜": 1.5, "申": 0.8, "覃": 1.2,
        "欧阳": 0.8, "翟": 0.6, "单": 0.4, "解": 0.3, "仇": 0.3, "查": 0.2, "乐": 0.2,
        "盖": 0.15, "区": 0.1, "司马": 0.03, "尉迟": 0.02,
    }
)  # fmt: skip

_M_OLD = (
    "建军 建国 建华 建平 建明 志强 志刚 志明 志勇 志伟 国强 国庆 国华 国平 海涛 海波 海军 海峰 "
    "卫东 卫国 卫平 小军 小兵 小龙 永红 永强 永刚 永明 春雷 春生 德明 德华 文军 文华 文斌 立新 "
    "立军 学军 学文 金龙 金山 光辉 振华 俊峰 晓东 晓峰 晓明 晓军 新民 新华 红兵 长青 湘平 湘林 "
    "云峰 运来 少华 跃平 建新 中华 胜军 利民 忠诚 爱民 庆华 铁军 雄伟 正平"
).split()
_M_YOUNG = (
    "浩然 俊杰 子豪 宇航 子轩 浩宇 博文 鹏飞 嘉伟 家乐 俊豪 天宇 志豪 宇轩 文博 一鸣 思远 明轩 "
    "梓豪 晨阳 雨泽 泽宇 锦程 俊熙 皓轩 佳豪 子健 嘉俊 乐天 文杰 振宇 伟杰 翔宇 立伟 宏伟 鑫磊 "
    "海洋 晨曦 凯旋 家豪 子龙 宇辰 思成 雨航 俊宇 博涛 志鹏 嘉豪 文涛 旭东 浩东 启航 星宇"
).split()
_M_SINGLE = (
    "伟 强 磊 军 勇 杰 涛 斌 超 明 刚 平 辉 鹏 华 飞 鑫 波 宇 浩 凯 健 俊 帆 帅 旭 宁 龙 洋 峰 "
    "兵 亮 成 康 彬 锋 剑 冬 毅 翔 坤 松 权 林 昊 博 睿"
).split()
_M_FIRST = (
    "建 志 国 文 海 俊 家 子 宇 浩 明 永 晓 春 德 振 立 新 金 光 卫 学 少 云 天 世 正 宏 利 湘"
).split()
_M_SECOND = (
    "军 华 明 强 伟 平 林 峰 杰 辉 龙 波 涛 斌 勇 刚 成 东 生 荣 兵 雄 飞 鹏 宇 亮 彬 锋 阳 清"
).split()
_F_OLD = (
    "秀英 桂英 秀兰 海燕 丽娟 丽华 红梅 小红 春梅 桂兰 玉兰 美玲 晓燕 晓玲 艳红 丽萍 建英 金凤 "
    "淑珍 雪梅 冬梅 红霞 丽娜 小芳 艳芳 彩霞 月娥 湘莲 玉梅 春燕 小燕 素芳 爱华 美华 丽君 秋菊 "
    "群英 慧芳 艳玲 凤英"
).split()
_F_YOUNG = (
    "欣怡 梓涵 诗涵 雨欣 佳怡 子涵 思雨 梦瑶 雨婷 婉婷 佳琪 晓雯 心怡 可欣 雅琪 紫涵 思琪 梦琪 "
    "雨涵 静怡 嘉欣 慧敏 晓婷 丹丹 婷婷 倩倩 璐瑶 诗琪 欣妍 若曦 佳慧 文静 晓琳 思敏 雅婷 梦洁 "
    "雪婷 嘉怡 玉洁 紫怡"
).split()
_F_SINGLE = (
    "芳 娜 敏 静 丽 艳 娟 霞 燕 玲 婷 雪 慧 琳 颖 倩 洁 萍 红 梅 琴 晶 欣 怡 佳 蕾 璐 瑶 妍 丹 "
    "露 莉 兰 凤 英 莎 薇 茜 媛 岚"
).split()
_F_FIRST = "丽 秀 美 晓 春 海 玉 雪 桂 小 思 雅 佳 欣 梦 诗 雨 文 慧 静 艳 红 金 湘 秋".split()
_F_SECOND = "英 兰 芳 华 梅 燕 玲 娟 霞 萍 红 琴 丽 婷 敏 静 洁 莉 凤 娜 琳 怡 瑶 雯 颖".split()


def _young_share(birth_year: int) -> float:
    """How likely a person born in ``birth_year`` carries a name of the younger fashion."""
    return min(1.0, max(0.0, (birth_year - 1982) / 15))


class _NameMaker:
    """Chinese names: surname by frequency, given name by gender and the fashion of the era."""

    def __init__(self, rnd: Callable[[], float]) -> None:
        self.rnd = rnd
        self.young = [_young_share(y) for y in range(1900, 2101)]

    def __call__(self, gender: str, birth_year: int) -> str:
        rnd = self.rnd
        surname = SURNAMES[0][bisect_right(SURNAMES[1], rnd())]
        male = gender == MALE
        young = rnd() < self.young[min(max(birth_year, 1900), 2100) - 1900]
        roll = rnd()
        if roll < (0.18 if young else 0.3):
            pool = _M_SINGLE if male else _F_SINGLE
            return surname + pool[int(rnd() * len(pool))]
        if roll < 0.7:
            if male:
                pool = _M_YOUNG if young else _M_OLD
            else:
                pool = _F_YOUNG if young else _F_OLD
            return surname + pool[int(rnd() * len(pool))]
        first, second = (_M_FIRST, _M_SECOND) if male else (_F_FIRST, _F_SECOND)
        a = first[int(rnd() * len(first))]
        b = second[int(rnd() * len(second))]
        if a == b:
            b = second[(second.index(b) + 1) % len(second)]
        return surname + a + b


def generate_people_names(count: int, seed: int) -> list[str]:
    """``count`` distinct names of middle-aged people (mentors, officials), about 2/3 men."""
    rng = random.Random(seed)
    make = _NameMaker(rng.random)
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        for _ in range(50):  # give up on distinctness only when the name space runs dry
            name = make(MALE if rng.random() < 0.65 else FEMALE, rng.randint(1968, 1992))
            if name not in seen:
                break
        seen.add(name)
        names.append(name)
    return names


# --- Candidate attributes ---------------------------------------------------------------------

SOURCES = _codes(
    Source,
    {
        "current_cadre": 20, "returned_migrant": 18, "returned_graduate": 14, "rich_leader": 12,
        "group_leader": 12, "veteran": 8, "other": 7, "unemployed_graduate": 6,
        "village_official": 3,
    },
)  # fmt: skip
GRADUATE_SOURCES = frozenset({"unemployed_graduate", "returned_graduate", "village_official"})
MALE_SHARE = {"veteran": 0.95, "group_leader": 0.8, "rich_leader": 0.75}  # others 0.66

_AGE_GENERAL = {
    22: 1, 23: 1.5, 24: 2.5, 25: 4, 26: 5, 27: 6, 28: 7, 29: 7, 30: 7, 31: 7, 32: 7, 33: 6.5,
    34: 6, 35: 6, 36: 5.5, 37: 5, 38: 4.5, 39: 4, 40: 3.5, 41: 2.5, 42: 2.2, 43: 2, 44: 1.8,
    45: 1.5, 46: 1.2, 47: 1, 48: 0.8, 49: 0.6, 50: 0.5,
}  # fmt: skip
AGES = {
    "unemployed_graduate": _table({22: 6, 23: 9, 24: 9, 25: 7, 26: 5, 27: 3, 28: 2, 29: 1, 30: 1}),
    "returned_graduate": _table({a: w for a, w in _AGE_GENERAL.items() if a <= 38}),
    "village_official": _table({a: 1 + (a <= 32) for a in range(24, 41)}),
}
AGE_DEFAULT = _table(_AGE_GENERAL)

EDUCATION_GRADUATE = _codes(Education, {"postgraduate": 4, "bachelor": 58, "college": 38})
EDUCATION_VETERAN = _codes(
    Education,
    {"bachelor": 10, "college": 35, "secondary_vocational": 8, "high_school": 37,
     "junior_high": 10},
)  # fmt: skip
EDUCATION_GENERAL = _codes(
    Education,
    {
        "postgraduate": 0.5, "bachelor": 18, "college": 30, "secondary_vocational": 11,
        "technical_school": 4, "high_school": 25, "junior_high": 10.5, "primary": 1,
    },
)  # fmt: skip

_MAJORS_BACHELOR = (
    "农学 汉语言文学 会计学 计算机科学与技术 法学 行政管理 思想政治教育 农林经济管理 园艺 动物医学 "
    "财务管理 工商管理 土木工程 电子商务 市场营销 社会工作 公共事业管理 小学教育 英语 水利水电工程 "
    "环境工程 新闻学 历史学 数学与应用数学 护理学 旅游管理 物流管理 人力资源管理 植物保护 林学 "
    "机械设计制造及其自动化 食品科学与工程"
).split()
_MAJORS_COLLEGE = (
    "会计 计算机应用技术 畜牧兽医 园艺技术 电子商务 市场营销 学前教育 护理 农业经济管理 "
    "作物生产技术 建设工程管理 汽车检测与维修技术 物流管理 旅游管理 法律事务 文秘 小学教育 "
    "现代农业技术 机电一体化技术 工程造价"
).split()
_MAJORS_POSTGRADUATE = "农业管理 公共管理 农村发展 马克思主义理论 作物学 法律 会计 社会工作".split()
MAJORS = {
    "postgraduate": _MAJORS_POSTGRADUATE,
    "bachelor": _MAJORS_BACHELOR,
    "college": _MAJORS_COLLEGE,
}

# 团员 are under 28 by the league's rules, so political status follows age.
POLITICAL_YOUNG = _codes(Political, {"01": 28, "02": 13, "03": 50, "13": 9})  # under 29
POLITICAL_MIDDLE = _codes(Political, {"01": 62, "02": 10, "03": 12, "13": 16})  # not yet struck off
POLITICAL_OLDER = _codes(Political, {"01": 70, "02": 8, "13": 22})  # 35 and over

ETHNICITY_BASE = _codes(
    Ethnicity,
    {"01": 96.8, "06": 0.8, "15": 0.6, "13": 0.5, "03": 0.5, "12": 0.3, "08": 0.3, "11": 0.1,
     "02": 0.05, "09": 0.05},
)  # fmt: skip
VILLAGE_MINORITIES = ("06", "13", "15", "12", "03", "08")  # villages where one people clusters

DIRECTION_PARTY = _codes(
    Direction,
    {"party_secretary": 35, "committee_director": 15, "committee_member": 40,
     "township_reserve": 10},
)  # fmt: skip
# Only full party members can be trained toward 村党组织书记.
DIRECTION_OTHER = _codes(
    Direction, {"committee_director": 22, "committee_member": 68, "township_reserve": 10}
)

OCCUPATIONS = {
    "current_cadre": _table(
        {"村文书": 20, "村报账员": 10, "网格员": 18, "村两委委员": 14, "村监委会委员": 8,
         "村民兵营长": 6, "村综治专干": 6, "村团支部书记": 6, "村妇联主席": 6, "村民小组长": 6}
    ),
    "returned_migrant": _table(
        {"返乡创业": 30, "个体经营": 22, "务工": 14, "种植大户": 10, "养殖户": 8,
         "合作社负责人": 6, "货车司机": 5, "待业": 5}
    ),
    "returned_graduate": _table(
        {"返乡创业": 22, "电商经营": 16, "网格员": 14, "公益性岗位": 12, "村务工作者": 14,
         "代课教师": 6, "个体经营": 10, "待业": 6}
    ),
    "rich_leader": _table(
        {"种植大户": 26, "养殖大户": 18, "合作社负责人": 22, "家庭农场主": 14, "个体经营": 10,
         "企业负责人": 6, "电商经营": 4}
    ),
    "group_leader": _table({"村民小组长": 80, "种植大户": 8, "个体经营": 7, "务工": 5}),
    "veteran": _table(
        {"村民兵营长": 18, "个体经营": 20, "网格员": 16, "务工": 14, "保安": 8, "返乡创业": 10,
         "货车司机": 8, "待业": 6}
    ),
    "other": _table(
        {"个体经营": 25, "乡村医生": 12, "务工": 18, "种植大户": 12, "农村电商": 8, "乡村教师": 8,
         "务农": 12, "待业": 5}
    ),
    "unemployed_graduate": _table(
        {"待业": 40, "灵活就业": 20, "公益性岗位": 20, "备考": 15, "网格员": 5}
    ),
    "village_official": _table({"村党组织书记助理": 55, "村委会主任助理": 45}),
}  # fmt: skip
FEMALE_ONLY_OCCUPATIONS = frozenset({"村妇联主席"})
MALE, FEMALE = Gender("M").value, Gender("F").value

SPECIALITIES = _table(
    {
        "": 38, "农技推广": 7, "文字材料": 7, "矛盾调解": 7, "电商直播": 5, "财务管理": 5,
        "群众工作": 5, "产业发展": 4, "计算机操作": 4, "种植技术": 4, "养殖技术": 3,
        "乡村旅游": 2, "建筑施工": 2, "法律咨询": 1.5, "文艺宣传": 2, "政策宣讲": 2,
        "驾驶": 1.5, "民兵训练": 1, "卫生防疫": 1, "短视频制作": 1.5, "水利管护": 1,
    }
)  # fmt: skip

STATUSES = _codes(
    Status,
    {"in_pool": 60, "nominated": 12, "inspecting": 8, "returned": 3, "used": 10, "withdrawn": 7},
)
# entered_on is set when a candidate reaches in_pool (see roster.operations.change_status).
NOT_ENTERED = frozenset({"nominated", "inspecting", "returned"})
NOTES = {
    "used": (0.5, "换届中当选村委会委员 已任村党组织委员 已任村委会主任 已任村党组织书记 "
             "已聘为村务工作者 已任村党组织副书记".split()),
    "withdrawn": (0.7, "本人申请退出 外出务工长期不在村 考取公务员 考取事业编制 迁出本村 "
                  "年度考核不合格 不再符合培养条件".split()),
    "returned": (0.6, "考察未通过 群众测评未达要求 资格审查不符合条件 本人放弃".split()),
}  # fmt: skip
NOTES_OTHER = (
    0.03,
    "已参加县级村干部示范培训班 已安排到乡镇跟班学习 重点培养对象 已确定帮带导师 "
    "外出务工，联系方式待核实 拟作为村党组织书记人选重点培养 参加村干部学历提升计划".split(),
)

PHONE_PREFIXES = _table(
    {
        139: 8, 138: 7, 137: 6, 136: 5, 135: 6, 134: 4, 150: 5, 151: 5, 152: 5, 157: 3,
        158: 5, 159: 5, 182: 4, 183: 3, 187: 4, 188: 3, 147: 1, 178: 2, 198: 1,
        130: 3, 131: 3, 132: 3, 155: 3, 156: 3, 185: 3, 186: 4, 166: 2, 176: 2,
        133: 2, 153: 2, 180: 2, 181: 2, 189: 3, 177: 2, 173: 1, 199: 2, 191: 1,
    }
)  # fmt: skip


def _years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _entry_days(today: datetime.date, latest: datetime.date) -> Table[datetime.date]:
    """Entry dates of the last five years up to ``latest``; spring and autumn intakes weigh more."""
    first = _years_before(today, 5).toordinal() + 1
    weights: dict[datetime.date, float] = {}
    for ordinal in range(first, latest.toordinal() + 1):
        day = datetime.date.fromordinal(ordinal)
        intake = (day.month in (3, 4)) or (day.month == 9) or (day.month == 10 and day.day <= 15)
        weights[day] = 6.0 if intake else 1.0
    return _table(weights)


def generate_candidates(
    n: int, seed: int, village_count: int, today: datetime.date
) -> Iterator[dict]:
    """Yield ``n`` roster rows; the same (n, seed, village_count, today) gives the same rows.

    Codes are plain strings (values of the lists in ``app.core.codes``); ``birth_date`` and
    ``entered_on`` are dates, ``entered_on`` None while a candidate has not reached in_pool
    (nominated, inspecting, returned),
    ``village_index`` lies in ``range(village_count)`` and ID numbers never repeat.
    """
    if n < 0 or village_count < 1:
        raise ValueError("n must be >= 0 and village_count >= 1")
    rng = random.Random(seed)
    rnd = rng.random
    bisect = bisect_right
    make_name = _NameMaker(rnd)

    # Villages differ in size, and a few are home to one of the minority peoples.
    village_table = _table([(i, 0.5 + rnd()) for i in range(village_count)])
    ethnicity_tables = []
    for _ in range(village_count):
        if rnd() < 0.12:
            share = 25 + 35 * rnd()
            minority = rng.choice(VILLAGE_MINORITIES)
            ethnicity_tables.append(_table({"01": 100 - share, minority: share}))
        else:
            ethnicity_tables.append(ETHNICITY_BASE)

    # Birth dates: ages 22-50 on ``today``; the (region, day) partial ID checksum is cached.
    earliest = _years_before(today, 51).toordinal() + 1
    latest = _years_before(today, 22).toordinal()
    today_ord = today.toordinal()
    regions = _table(REGION_CODE_WEIGHTS)
    region_sums = {
        r: sum(int(c) * w for c, w in zip(r, ID_WEIGHTS[:6], strict=True)) for r in regions[0]
    }
    days: dict[int, tuple[datetime.date, str, int, datetime.date]] = {}
    seq_text = [f"{s:03d}" for s in range(1000)]
    seq_sums = [8 * (s // 100) + 4 * (s // 10 % 10) + 2 * (s % 10) for s in range(1000)]
    next_seq: dict[tuple[str, int, str], list[int]] = {}  # key -> [start, used]

    age_tables = {s: AGES.get(s, AGE_DEFAULT) for s in SOURCES[0]}
    male_share = {s: MALE_SHARE.get(s, 0.66) for s in SOURCES[0]}
    education_tables = {
        s: EDUCATION_GRADUATE
        if s in GRADUATE_SOURCES
        else EDUCATION_VETERAN
        if s == "veteran"
        else EDUCATION_GENERAL
        for s in SOURCES[0]
    }
    entry_any = _entry_days(today, today)
    entry_used = _entry_days(today, today - datetime.timedelta(days=180))
    entry_withdrawn = _entry_days(today, today - datetime.timedelta(days=90))
    entry_tables = {"used": entry_used, "withdrawn": entry_withdrawn}
    phones: set[int] = set()

    src_vals, src_cum = SOURCES
    st_vals, st_cum = STATUSES
    sp_vals, sp_cum = SPECIALITIES
    ph_vals, ph_cum = PHONE_PREFIXES
    reg_vals, reg_cum = regions
    vil_vals, vil_cum = village_table

    for _ in range(n):
        source = src_vals[bisect(src_cum, rnd())]
        gender = MALE if rnd() < male_share[source] else FEMALE
        ages, age_cum = age_tables[source]
        age = ages[bisect(age_cum, rnd())] + rnd()
        ordinal = min(max(today_ord - int(age * 365.2425), earliest), latest)

        # ID number: a per (region, day, gender) sequence from a random start never repeats.
        region = reg_vals[bisect(reg_cum, rnd())]
        step = 0
        while True:
            counter = next_seq.get((region, ordinal, gender))
            if counter is None:
                counter = next_seq[(region, ordinal, gender)] = [int(rnd() * 499), 0]
            if counter[1] < 499:
                break
            step = step or (-1 if 2 * ordinal > earliest + latest else 1)
            ordinal += step
        k = (counter[0] + counter[1]) % 499
        counter[1] += 1
        seq = 2 * k + 1 if gender == MALE else 2 * k + 2
        day = days.get(ordinal)
        if day is None:
            born = datetime.date.fromordinal(ordinal)
            ymd = born.strftime("%Y%m%d")
            day_sum = sum(int(c) * w for c, w in zip(ymd, ID_WEIGHTS[6:14], strict=True))
            day = days[ordinal] = (born, ymd, day_sum, _years_before(born, -18))
        born, ymd, day_sum, adult = day
        total = region_sums[region] + day_sum + seq_sums[seq]
        id_number = region + ymd + seq_text[seq] + ID_CHECK_CHARS[total % 11]

        vals, cum = education_tables[source]
        education = vals[bisect(cum, rnd())]
        majors = MAJORS.get(education)
        major = majors[int(rnd() * len(majors))] if majors else ""
        if age < 29:
            vals, cum = POLITICAL_YOUNG
        else:
            vals, cum = POLITICAL_MIDDLE if age < 35 else POLITICAL_OLDER
        political = vals[bisect(cum, rnd())]
        village = vil_vals[bisect(vil_cum, rnd())]
        vals, cum = ethnicity_tables[village]
        ethnicity = vals[bisect(cum, rnd())]
        vals, cum = OCCUPATIONS[source]
        occupation = vals[bisect(cum, rnd())]
        if gender == MALE and occupation in FEMALE_ONLY_OCCUPATIONS:
            occupation = "村两委委员"
        vals, cum = DIRECTION_PARTY if political == "01" else DIRECTION_OTHER
        direction = vals[bisect(cum, rnd())]
        status = st_vals[bisect(st_cum, rnd())]
        if status in NOT_ENTERED:
            entered_on = None
        else:
            vals, cum = entry_tables.get(status, entry_any)
            entered_on = vals[bisect(cum, rnd())]
            if entered_on < adult:  # nobody enters the roster before turning 18
                entered_on = adult
        share, texts = NOTES.get(status, NOTES_OTHER)
        notes = texts[int(rnd() * len(texts))] if rnd() < share else ""

        while True:
            phone = ph_vals[bisect(ph_cum, rnd())] * 100_000_000 + int(rnd() * 100_000_000)
            if phone not in phones:
                phones.add(phone)
                break

        yield {
            "name": make_name(gender, born.year),
            "gender": gender,
            "ethnicity": ethnicity,
            "birth_date": born,
            "id_number": id_number,
            "political": political,
            "education": education,
            "major": major,
            "phone": str(phone),
            "village_index": village,
            "source": source,
            "occupation": occupation,
            "speciality": sp_vals[bisect(sp_cum, rnd())],
            "direction": direction,
            "entered_on": entered_on,
            "status": status,
            "notes": notes,
        }
