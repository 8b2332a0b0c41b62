"""Code lists of the roster (民族, 政治面貌, 学历, 来源类别, 培养方向, 状态…).

Each list is a ``StrEnum`` stored as a short string; its Chinese label lives beside it, once.
Ethnicity and political status keep their national-standard codes (GB/T 3304, GB/T 4762) as
values. ``lookup`` reads what clerks type (codes, labels, short forms) for forms and Excel.
"""

from __future__ import annotations

import enum
import unicodedata


class LabeledEnum(enum.StrEnum):
    """A StrEnum whose members carry a Chinese label and accept common written forms."""

    @property
    def label(self) -> str:
        return type(self).__labels__[self.value]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]

    @classmethod
    def labels(cls) -> list[str]:
        return [m.label for m in cls]

    @classmethod
    def label_of(cls, value: str | None) -> str:
        if not value:
            return ""
        try:
            return cls(value).label
        except ValueError:
            return value

    @classmethod
    def colour_of(cls, value: str | None) -> str:
        """The Bootstrap colour its badges and table rows take (``secondary`` when none)."""
        return cls.__colours__.get(value or "", "secondary")

    @classmethod
    def lookup(cls, text: object) -> LabeledEnum | None:
        """The member named by a value, a label or a short form; None when nothing matches."""
        if text is None:
            return None
        text = "".join(unicodedata.normalize("NFKC", str(text)).split())
        if not text:
            return None
        text = cls.__aliases__.get(text, text)
        value = cls.__by_label__.get(text, text)
        try:
            return cls(value)
        except ValueError:
            return None


def labeled(
    name: str,
    entries: list[tuple[str, str]],
    aliases: dict[str, str] | None = None,
    colours: dict[str, str] | None = None,
):
    """Build a LabeledEnum from (value, label) pairs; member names are ``C<value>`` for codes.
    ``colours``: value -> Bootstrap colour, for lists shown as coloured badges."""
    members = [(v if v.isidentifier() else f"C{v}", v) for v, _ in entries]
    cls = LabeledEnum(name, members)
    cls.__labels__ = dict(entries)
    cls.__by_label__ = {label: value for value, label in entries}
    cls.__aliases__ = aliases or {}
    cls.__colours__ = colours or {}
    return cls


ETHNICITIES = [
    ("01", "汉族"),
    ("02", "蒙古族"),
    ("03", "回族"),
    ("04", "藏族"),
    ("05", "维吾尔族"),
    ("06", "苗族"),
    ("07", "彝族"),
    ("08", "壮族"),
    ("09", "布依族"),
    ("10", "朝鲜族"),
    ("11", "满族"),
    ("12", "侗族"),
    ("13", "瑶族"),
    ("14", "白族"),
    ("15", "土家族"),
    ("16", "哈尼族"),
    ("17", "哈萨克族"),
    ("18", "傣族"),
    ("19", "黎族"),
    ("20", "傈僳族"),
    ("21", "佤族"),
    ("22", "畲族"),
    ("23", "高山族"),
    ("24", "拉祜族"),
    ("25", "水族"),
    ("26", "东乡族"),
    ("27", "纳西族"),
    ("28", "景颇族"),
    ("29", "柯尔克孜族"),
    ("30", "土族"),
    ("31", "达斡尔族"),
    ("32", "仫佬族"),
    ("33", "羌族"),
    ("34", "布朗族"),
    ("35", "撒拉族"),
    ("36", "毛南族"),
    ("37", "仡佬族"),
    ("38", "锡伯族"),
    ("39", "阿昌族"),
    ("40", "普米族"),
    ("41", "塔吉克族"),
    ("42", "怒族"),
    ("43", "乌孜别克族"),
    ("44", "俄罗斯族"),
    ("45", "鄂温克族"),
    ("46", "德昂族"),
    ("47", "保安族"),
    ("48", "裕固族"),
    ("49", "京族"),
    ("50", "塔塔尔族"),
    ("51", "独龙族"),
    ("52", "鄂伦春族"),
    ("53", "赫哲族"),
    ("54", "门巴族"),
    ("55", "珞巴族"),
    ("56", "基诺族"),
]
Ethnicity = labeled("Ethnicity", ETHNICITIES, {"汉": "汉族"})

POLITICAL_STATUSES = [
    ("01", "中国共产党党员"),
    ("02", "中国共产党预备党员"),
    ("03", "中国共产主义青年团团员"),
    ("04", "中国国民党革命委员会会员"),
    ("05", "中国民主同盟盟员"),
    ("06", "中国民主建国会会员"),
    ("07", "中国民主促进会会员"),
    ("08", "中国农工民主党党员"),
    ("09", "中国致公党党员"),
    ("10", "九三学社社员"),
    ("11", "台湾民主自治同盟盟员"),
    ("12", "无党派人士"),
    ("13", "群众"),
]
POLITICAL_SHORT_FORMS = {
    "中共党员": "中国共产党党员",
    "党员": "中国共产党党员",
    "预备党员": "中国共产党预备党员",
    "中共预备党员": "中国共产党预备党员",
    "共青团员": "中国共产主义青年团团员",
    "团员": "中国共产主义青年团团员",
    "无党派": "无党派人士",
    "民革": "中国国民党革命委员会会员",
    "民盟": "中国民主同盟盟员",
    "民建": "中国民主建国会会员",
    "民进": "中国民主促进会会员",
    "农工党": "中国农工民主党党员",
    "致公党": "中国致公党党员",
    "九三学社": "九三学社社员",
    "台盟": "台湾民主自治同盟盟员",
    "无党派民主人士": "无党派人士",
}
Political = labeled("Political", POLITICAL_STATUSES, POLITICAL_SHORT_FORMS)

EDUCATION_SHORT_FORMS = {
    "博士": "研究生",
    "硕士": "研究生",
    "本科": "大学本科",
    "大本": "大学本科",
    "专科": "大学专科",
    "大专": "大学专科",
    "中专": "中等专科",
    "职高": "高中",
    "技校": "技工学校",
    "小学": "小学及以下",
}
Education = labeled(
    "Education",
    [
        ("postgraduate", "研究生"),
        ("bachelor", "大学本科"),
        ("college", "大学专科"),
        ("secondary_vocational", "中等专科"),
        ("technical_school", "技工学校"),
        ("high_school", "高中"),
        ("junior_high", "初中"),
        ("primary", "小学及以下"),
    ],
    EDUCATION_SHORT_FORMS,
)

Source = labeled(
    "Source",
    [
        ("veteran", "退役军人"),
        ("rich_leader", "农村致富带头人"),
        ("unemployed_graduate", "未就业高校毕业生"),
        ("returned_graduate", "回乡大学生"),
        ("village_official", "大学生村官"),
        ("returned_migrant", "外出务工返乡人员"),
        ("group_leader", "村民小组长"),
        ("current_cadre", "现任村组干部"),
        ("other", "其他"),
    ],
    {
        "致富带头人": "农村致富带头人",
        "返乡大学生": "回乡大学生",
        "返乡人员": "外出务工返乡人员",
        "村组干部": "现任村组干部",
    },
)

Direction = labeled(
    "Direction",
    [
        ("party_secretary", "村党组织书记"),
        ("committee_director", "村委会主任"),
        ("committee_member", "村两委委员"),
        ("township_reserve", "镇级后备干部"),
    ],
    {"镇级后备": "镇级后备干部", "村支书": "村党组织书记", "党组织书记": "村党组织书记"},
)

Gender = labeled("Gender", [("M", "男"), ("F", "女")], {"男性": "男", "女性": "女"})

Status = labeled(
    "Status",
    [
        ("nominated", "拟推荐"),
        ("inspecting", "考察中"),
        ("in_pool", "在库培养"),
        ("returned", "已退回"),
        ("used", "已使用"),
        ("withdrawn", "已退出"),
    ],
    colours={
        "nominated": "secondary",
        "inspecting": "info",
        "in_pool": "success",
        "returned": "warning",
        "used": "primary",
        "withdrawn": "dark",
    },
)

Role = labeled(
    "Role",
    [("admin", "县委组织部管理员"), ("secretary", "乡镇党委书记/组织委员"), ("clerk", "组织干事")],
)

# Surnames that pypinyin, reading them as ordinary characters, would get wrong (compound first).
SURNAME_READINGS = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "区": "ou",
    "查": "zha",
    "翟": "zhai",
    "覃": "qin",
    "盖": "ge",
    "乐": "yue",
    "缪": "miao",
    "召": "shao",
    "秘": "bi",
    "任": "ren",
    "华": "hua",
    "燕": "yan",
    "那": "na",
    "员": "yun",
    "种": "chong",
    "能": "nai",
    "宁": "ning",
    "过": "guo",
    "车": "che",
    "藏": "zang",
    "沈": "shen",
    "柏": "bai",
    "薄": "bo",
    "折": "she",
    "曲": "qu",
    "卜": "bu",
    "重": "chong",
    "长孙": "zhangsun",
    "尉迟": "yuchi",
    "万俟": "moqi",
    "单于": "chanyu",
    "令狐": "linghu",
    "澹台": "tantai",
}

# ---- assessment area: inspections, assessments, dynamic notes, outcomes -------------------

InspectionMethod = labeled(
    "InspectionMethod",
    [
        ("opinion_poll", "民意调查"),
        ("special_survey", "专项调查"),
        ("extended", "延伸考察"),
        ("field_visit", "实地走访"),
        ("home_visit", "家访"),
        ("interview", "个别谈话"),
    ],
    {"民主测评": "民意调查", "走访": "实地走访", "谈话": "个别谈话", "个别谈话了解": "个别谈话"},
)

AssessmentKind = labeled(
    "AssessmentKind",
    [("regular", "平时考核"), ("annual", "年终考核")],
    {"平时": "平时考核", "年终": "年终考核", "年度考核": "年终考核"},
)

AssessmentGrade = labeled(
    "AssessmentGrade",
    [
        ("excellent", "优秀"),
        ("competent", "称职"),
        ("basically_competent", "基本称职"),
        ("incompetent", "不称职"),
    ],
)

NoteKind = labeled(
    "NoteKind",
    [("thought", "思想动态"), ("whereabouts", "去向"), ("employment", "就业")],
    {"思想": "思想动态", "就业变化": "就业", "去向变化": "去向"},
)

OutcomeKind = labeled(
    "OutcomeKind",
    [
        ("party_secretary", "当选村党组织书记"),
        ("committee_director", "当选村委会主任"),
        ("committee_member", "当选村两委成员"),
        ("township_reserve", "列为镇级后备干部"),
        ("township_office", "进入镇机关部门"),
    ],
)

WithdrawalReason = labeled(
    "WithdrawalReason",
    [
        ("away", "外出"),
        ("failed_assessment", "考核不合格"),
        ("own_request", "本人申请"),
        ("political", "政治筛查"),
        ("over_age", "年龄超限"),
        ("other", "其他"),
    ],
)

# ---- posts area: trial-post rotations (试岗锻炼) ---------------------------------------------

PostKind = labeled(
    "PostKind",
    [
        ("window", "窗口试岗"),
        ("cross_village", "跨村任职"),
        ("township_shadow", "跟岗锻炼"),
        ("frontline", "一线实践"),
    ],
    {
        "窗口": "窗口试岗",
        "便民服务窗口": "窗口试岗",
        "跨村": "跨村任职",
        "跟岗": "跟岗锻炼",
        "急难险重": "一线实践",
        "基层一线": "一线实践",
    },
)

PlacementGrade = labeled(
    "PlacementGrade",
    [("excellent", "优秀"), ("pass", "合格"), ("basic_pass", "基本合格"), ("fail", "不合格")],
    colours={"excellent": "success", "pass": "primary", "basic_pass": "warning", "fail": "danger"},
)

# Derived states (never stored: each follows from a record's dates and fields), listed like the
# stored codes so their labels and colours live in one place.
PlacementState = labeled(
    "PlacementState",
    [
        ("planned", "未开始"),
        ("active", "进行中"),
        ("finished", "待评价"),  # the planned end has passed; report and evaluation are due
        ("evaluated", "已评价"),
        ("cut_short", "提前结束"),
    ],
    colours={
        "planned": "info",
        "active": "success",
        "finished": "warning",
        "evaluated": "secondary",
        "cut_short": "danger",
    },
)
PairingState = labeled(
    "PairingState",
    [
        ("active", "帮带中"),
        ("upcoming", "未开始"),
        ("overdue", "已到期待评价"),
        ("ended", "已结束"),
    ],
    colours={"active": "success", "upcoming": "secondary", "overdue": "warning", "ended": "dark"},
)
VillagePairingState = labeled(
    "VillagePairingState",
    [("upcoming", "未开始"), ("active", "进行中"), ("ended", "已结束")],
)

# The windows of a township's party-and-masses service centre (党群服务中心), 帮办代办 first:
# every new township starts with one post per window.
SERVICE_CENTRE_WINDOWS = (
    "帮办代办",
    "党政综合",
    "村镇规划",
    "社会保障",
    "民政救助",
    "财政一卡通",
    "农牧林水",
    "卫生计生",
    "退役军人",
    "网格服务",
)

# ---- mentoring (结对帮带) -------------------------------------------------------------------

MentorPosition = labeled(
    "MentorPosition",
    [
        ("party_secretary", "村党组织书记"),
        ("committee_director", "村委会主任"),
        ("former_secretary", "老支书"),
        ("former_township", "老乡镇"),
        ("township_leader", "镇领导"),
        ("resident_cadre", "驻村干部"),
    ],
    {
        "村支书": "村党组织书记",
        "支部书记": "村党组织书记",
        "村主任": "村委会主任",
        "老书记": "老支书",
        "老干部": "老乡镇",
        "乡镇领导": "镇领导",
        "驻村第一书记": "驻村干部",
        "第一书记": "驻村干部",
    },
)

MentoringForm = labeled(
    "MentoringForm",
    [
        ("face_to_face", "面对面指导"),
        ("committee_meeting", "列席两委会"),
        ("onsite", "现场教学"),
        ("phone", "电话指导"),
        ("other", "其他"),
    ],
    {"参加两委会": "列席两委会", "当面指导": "面对面指导", "电话": "电话指导"},
)

VillagePairingKind = labeled(
    "VillagePairingKind",
    [("strong_strong", "强强联合"), ("strong_weak", "强弱联合")],
)
