/*
 * record — the schema of every record kind, defined once as static tables,
 * and the code that reads them: validation, canonical form, the schema JSON
 * that the web UI generates its forms from, vocabulary look-ups and consent.
 *
 * A kind is a group of fields; a field has a type, English and Korean labels,
 * and, by type, a vocabulary, a nested group, a byte cap, a range or item
 * caps. Validation walks the table and the body side by side, keeping the
 * path of the field it is in ("incidents[0].means[3]") for its messages,
 * which never quote a value. A few rules span several fields (a family member
 * is a case or a description; a tracing request names enough of the person
 * sought); they are functions attached to their group.
 */
#include "record/record.h"

#include <math.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "base/csv.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------- vocabularies */

struct vocab_item {
	const char *id;
	const char *en;
	const char *ko;
	const char *aliases; /* '|'-separated other spellings accepted by importers, or NULL */
};

struct vocab {
	const char *name;
	const struct vocab_item *items;
	size_t n;
};

#define VOCAB(var, vname, arr) static const struct vocab var = {vname, arr, N_OF(arr)}

static const struct vocab_item sex_items[] = {
    {"female", "Female", "여성", "f|woman|girl|여|여자"},
    {"male", "Male", "남성", "m|man|boy|남|남자"},
    {"other", "Other", "기타", NULL},
    {"unknown", "Unknown", "알 수 없음", "u|미상|모름"},
};
VOCAB(v_sex, "sex", sex_items);

/* North Korean first-level divisions, with the usual romanizations (Revised,
 * McCune–Reischauer with and without breves, English) as importer aliases. */
static const struct vocab_item province_items[] = {
    {"north_hamgyong", "North Hamgyong", "함경북도",
     "hamgyongbuk-do|hamgyeongbuk-do|hamgyŏng-pukto|hamgyong-pukto|n. hamgyong|n hamgyong|함북"},
    {"south_hamgyong", "South Hamgyong", "함경남도",
     "hamgyongnam-do|hamgyeongnam-do|hamgyŏng-namdo|hamgyong-namdo|s. hamgyong|s hamgyong|함남"},
    {"ryanggang", "Ryanggang", "양강도", "yanggang|ryanggang-do|yanggang-do|ryanggangdo|량강도"},
    {"chagang", "Chagang", "자강도", "chagang-do|jagang|jagang-do"},
    {"north_pyongan", "North Pyongan", "평안북도",
     "pyonganbuk-do|pyeonganbuk-do|p'yŏngan-pukto|pyongan-pukto|n. pyongan|n pyongan|평북"},
    {"south_pyongan", "South Pyongan", "평안남도",
     "pyongannam-do|pyeongannam-do|p'yŏngan-namdo|pyongan-namdo|s. pyongan|s pyongan|평남"},
    {"north_hwanghae", "North Hwanghae", "황해북도",
     "hwanghaebuk-do|hwanghae-pukto|hwanghae-bukdo|n. hwanghae|n hwanghae|황북"},
    {"south_hwanghae", "South Hwanghae", "황해남도",
     "hwanghaenam-do|hwanghae-namdo|s. hwanghae|s hwanghae|황남"},
    {"kangwon", "Kangwon (North Korea)", "강원도 (북한)", "kangwon|kangwon-do|gangwon|gangwon-do|강원도"},
    {"pyongyang", "Pyongyang", "평양직할시", "pyongyang|p'yŏngyang|pyeongyang|평양|평양시"},
    {"nampo", "Nampo", "남포특별시", "nampo|namp'o|nampho|남포|남포시"},
    {"rason", "Rason", "라선특별시", "rason|raseon|najin-sonbong|나선|라선|라선시|나선시"},
    {"kaesong", "Kaesong", "개성특별시", "kaesong|kaesŏng|gaeseong|개성|개성시"},
    {"other", "Other", "기타", NULL},
    {"unknown", "Unknown", "알 수 없음", "미상|모름"},
};
VOCAB(v_province, "province", province_items);

static const struct vocab_item language_items[] = {
    {"ko", "Korean", "한국어", "korean|조선어|조선말|한국말"},
    {"zh", "Chinese", "중국어", "chinese|mandarin|중국말"},
    {"en", "English", "영어", "english"},
    {"ru", "Russian", "러시아어", "russian"},
    {"th", "Thai", "태국어", "thai"},
    {"lo", "Lao", "라오스어", "lao|laotian"},
    {"vi", "Vietnamese", "베트남어", "vietnamese"},
    {"km", "Khmer", "크메르어", "khmer|cambodian"},
    {"mn", "Mongolian", "몽골어", "mongolian"},
    {"other", "Other", "기타", NULL},
};
VOCAB(v_language, "language", language_items);

static const struct vocab_item leg_items[] = {
    {"recruitment", "Recruitment", "모집·유인", NULL}, {"transit", "Transit", "이동·경유", NULL},
    {"exploitation", "Exploitation", "착취", NULL},    {"escape", "Escape", "탈출", NULL},
    {"resettlement", "Resettlement", "정착", NULL},
};
VOCAB(v_leg, "journey_leg", leg_items);

/* ISO 3166-1 alpha-2 codes (upper case, unlike every other id) and "other". */
static const struct vocab_item country_items[] = {
    {"KP", "North Korea", "북한", "dprk|north korea|조선|조선민주주의인민공화국|북조선"},
    {"CN", "China", "중국", "china|prc|중화인민공화국"},
    {"LA", "Laos", "라오스", "laos|lao pdr"},
    {"VN", "Vietnam", "베트남", "vietnam|viet nam"},
    {"KH", "Cambodia", "캄보디아", "cambodia"},
    {"TH", "Thailand", "태국", "thailand"},
    {"MN", "Mongolia", "몽골", "mongolia"},
    {"KR", "South Korea", "대한민국", "south korea|rok|republic of korea|한국|남한"},
    {"RU", "Russia", "러시아", "russia|russian federation"},
    {"other", "Other", "기타", NULL},
};
VOCAB(v_country, "country", country_items);

static const struct vocab_item journey_status_items[] = {
    {"in_hiding", "In hiding", "은신 중", NULL}, {"in_transit", "In transit", "이동 중", NULL},
    {"detained", "Detained", "구금됨", NULL},	 {"repatriated", "Repatriated", "강제 송환됨", NULL},
    {"resettled", "Resettled", "정착함", NULL},	 {"exploited", "Exploited", "착취당하는 중", NULL},
    {"unknown", "Unknown", "알 수 없음", NULL},
};
VOCAB(v_journey_status, "journey_status", journey_status_items);

/* GBVIMS core incident types, one per incident, and non-GBV. */
static const struct vocab_item incident_type_items[] = {
    {"rape", "Rape", "강간", NULL},
    {"sexual_assault", "Sexual assault", "성폭행", NULL},
    {"physical_assault", "Physical assault", "신체적 폭행", NULL},
    {"forced_marriage", "Forced marriage", "강제 결혼", NULL},
    {"denial_of_resources", "Denial of resources, opportunities or services", "자원·기회·서비스 거부", NULL},
    {"psychological_abuse", "Psychological / emotional abuse", "심리적·정서적 학대", NULL},
    {"non_gbv", "Non-GBV incident", "젠더 기반 폭력 외 사건", NULL},
};
VOCAB(v_incident_type, "incident_type", incident_type_items);

/* CTDC / HTCDS types of exploitation. */
static const struct vocab_item exploitation_items[] = {
    {"forced_labour", "Forced labour", "강제 노동", NULL},
    {"sexual_exploitation", "Sexual exploitation", "성 착취", NULL},
    {"forced_marriage", "Forced marriage", "강제 결혼", NULL},
    {"forced_military", "Forced military service", "강제 군사 동원", NULL},
    {"organ_removal", "Organ removal", "장기 적출", NULL},
    {"slavery", "Slavery and similar practices", "노예제 및 유사 관행", NULL},
    {"other", "Other exploitation", "기타 착취", NULL},
};
VOCAB(v_exploitation, "exploitation", exploitation_items);

/* CTDC perpetrator roles. */
static const struct vocab_item role_items[] = {
    {"travelling_partner", "Travelling partner", "동행자", NULL},
    {"transporter", "Transporter", "운반책", NULL},
    {"recruiter", "Recruiter", "모집책", NULL},
    {"broker", "Broker", "브로커", NULL},
    {"sold", "Sold the person", "피해자를 판매함", NULL},
    {"bought", "Bought the person", "피해자를 구매함", NULL},
    {"harboured", "Harboured the person", "피해자를 은닉함", NULL},
    {"received", "Received the person", "피해자를 인수함", NULL},
    {"controller", "Controller", "통제자", NULL},
    {"smuggler", "Smuggler", "밀입국 알선책", NULL},
    {"abuser", "Abuser", "학대자", NULL},
    {"kidnapper", "Kidnapper", "납치범", NULL},
    {"exploiter", "Exploiter", "착취자", NULL},
    {"other", "Other", "기타", NULL},
};
VOCAB(v_role, "perpetrator_role", role_items);

/* GBVIMS alleged perpetrator relationship with the survivor. */
static const struct vocab_item relation_items[] = {
    {"intimate_partner", "Intimate partner / former partner", "배우자·연인 (전 배우자·연인 포함)", NULL},
    {"primary_caregiver", "Primary caregiver", "주 양육자", NULL},
    {"other_family", "Family other than spouse or caregiver", "기타 가족", NULL},
    {"supervisor_employer", "Supervisor / employer", "상사·고용주", NULL},
    {"teacher", "Teacher / school official", "교사·학교 관계자", NULL},
    {"service_provider", "Service provider", "서비스 제공자", NULL},
    {"housemate", "Housemate", "동거인", NULL},
    {"family_friend", "Family friend / neighbour", "가족의 지인·이웃", NULL},
    {"other_refugee", "Other refugee / IDP / returnee", "다른 난민·실향민·귀환민", NULL},
    {"other", "Other", "기타", NULL},
    {"none", "No relation", "관계 없음", NULL},
    {"unknown", "Unknown", "알 수 없음", NULL},
};
VOCAB(v_relation, "perpetrator_relation", relation_items);

/* CTDC means of control. */
static const struct vocab_item means_items[] = {
    {"debt_bondage", "Debt bondage", "채무 속박", NULL},
    {"takes_earnings", "Takes earnings", "수입 갈취", NULL},
    {"restricts_financial_access", "Restricts financial access", "금전 접근 제한", NULL},
    {"threats", "Threats", "위협", NULL},
    {"psychological_abuse", "Psychological abuse", "심리적 학대", NULL},
    {"physical_abuse", "Physical abuse", "신체적 학대", NULL},
    {"sexual_abuse", "Sexual abuse", "성적 학대", NULL},
    {"false_promises", "False promises", "거짓 약속", NULL},
    {"psychoactive_substances", "Psychoactive substances", "향정신성 물질 강요", NULL},
    {"restricts_movement", "Restricts movement", "이동 제한", NULL},
    {"restricts_medical_care", "Restricts medical care", "의료 이용 제한", NULL},
    {"excessive_working_hours", "Excessive working hours", "과도한 노동 시간", NULL},
    {"uses_children", "Uses children", "자녀를 이용한 통제", NULL},
    {"threat_of_law_enforcement", "Threat of law enforcement", "신고·단속 위협", NULL},
    {"withholds_necessities", "Withholds necessities", "생필품 박탈", NULL},
    {"withholds_documents", "Withholds documents", "신분증·서류 압수", NULL},
    {"other", "Other", "기타", NULL},
};
VOCAB(v_means, "means_of_control", means_items);

/* CTDC recruitment methods. */
static const struct vocab_item recruitment_items[] = {
    {"abduction", "Abduction", "납치", NULL},
    {"familial", "Family member or relative", "가족·친척", NULL},
    {"internet", "Internet", "인터넷", NULL},
    {"marriage_broker", "International marriage broker", "국제결혼 중개업자", NULL},
    {"intimate_partner", "Intimate partner / marriage proposition", "연인·결혼 제안", NULL},
    {"job_offer", "Job offer", "취업 제안", NULL},
    {"benefactor", "Posing as a benefactor", "후원자 행세", NULL},
    {"public_area", "Public area", "공공장소", NULL},
    {"accommodation", "Offer of accommodation", "숙소 제공", NULL},
    {"smuggling", "Smuggling", "밀입국 알선", NULL},
    {"other", "Other", "기타", NULL},
    {"unknown", "Unknown", "알 수 없음", NULL},
};
VOCAB(v_recruitment, "recruitment", recruitment_items);

/* CTDC types of labour. */
static const struct vocab_item labour_items[] = {
    {"agriculture", "Agriculture", "농업", NULL},
    {"aquafarming", "Aquafarming", "양식업", NULL},
    {"begging", "Begging", "구걸", NULL},
    {"construction", "Construction", "건설업", NULL},
    {"domestic_work", "Domestic work", "가사 노동", NULL},
    {"hospitality", "Hospitality", "접객·숙박업", NULL},
    {"illicit_activities", "Illicit activities", "불법 활동", NULL},
    {"manufacturing", "Manufacturing", "제조업", NULL},
    {"mining", "Mining", "광업", NULL},
    {"peddling", "Peddling", "행상", NULL},
    {"transportation", "Transportation", "운송업", NULL},
    {"other", "Other", "기타", NULL},
};
VOCAB(v_labour, "labour", labour_items);

/* CTDC types of sexual exploitation. */
static const struct vocab_item sexual_items[] = {
    {"prostitution", "Prostitution", "성매매", NULL},
    {"pornography", "Pornography", "음란물 제작", NULL},
    {"remote_interactive", "Remote interactive services", "원격 성적 서비스 (화상 채팅 등)", NULL},
    {"private_sexual_services", "Private sexual services", "사적 성적 서비스", NULL},
};
VOCAB(v_sexual, "sexual_exploitation", sexual_items);

static const struct vocab_item app_items[] = {
    {"wechat", "WeChat", "위챗", "weixin|微信"},
    {"qq", "QQ", "QQ", NULL},
    {"qzone", "QZone", "QQ 공간 (QZone)", NULL},
    {"facebook", "Facebook", "페이스북", NULL},
    {"whatsapp", "WhatsApp", "왓츠앱", NULL},
    {"telegram", "Telegram", "텔레그램", NULL},
    {"kakaotalk", "KakaoTalk", "카카오톡", "kakao|카톡"},
    {"other", "Other", "기타", NULL},
};
VOCAB(v_app, "app", app_items);

/* GBVIMS context flags of an incident. */
static const struct vocab_item flag_items[] = {
    {"money_exchanged", "Money, goods or benefits exchanged", "금전·물품·이익 교환", NULL},
    {"abduction_trafficking", "Abduction / trafficking", "납치·인신매매", NULL},
    {"harmful_practice", "Harmful traditional practice", "유해한 전통 관행", NULL},
    {"reported_elsewhere", "Reported elsewhere", "다른 기관에 신고됨", NULL},
    {"previous_incidents", "Previous incidents", "이전 피해 사건 있음", NULL},
};
VOCAB(v_flag, "incident_flag", flag_items);

/* GBVIMS stage of displacement at the time of the incident. */
static const struct vocab_item displacement_items[] = {
    {"not_displaced", "Not displaced / home community", "이주 전 (거주지)", NULL},
    {"pre_displacement", "Pre-displacement", "이주 직전", NULL},
    {"during_flight", "During flight", "탈출 중", NULL},
    {"during_refuge", "During refuge", "피난지 체류 중", NULL},
    {"during_return", "During return / transit", "귀환·경유 중", NULL},
    {"post_displacement", "Post-displacement", "정착 후", NULL},
};
VOCAB(v_displacement, "displacement", displacement_items);

static const struct vocab_item need_items[] = {
    {"shelter", "Shelter", "쉼터·주거", NULL},
    {"medical", "Medical care", "의료", NULL},
    {"psychosocial", "Psychosocial support", "심리사회적 지원", NULL},
    {"legal", "Legal aid", "법률 지원", NULL},
    {"documents", "Identity documents", "신분 서류", NULL},
    {"travel", "Safe travel", "안전한 이동 지원", NULL},
    {"family_tracing", "Family tracing", "가족 찾기", NULL},
    {"livelihood", "Livelihood", "생계 지원", NULL},
    {"education", "Education", "교육", NULL},
    {"other", "Other", "기타", NULL},
};
VOCAB(v_need, "need", need_items);

static const struct vocab_item service_status_items[] = {
    {"planned", "Planned", "계획됨", NULL},
    {"provided", "Provided", "제공됨", NULL},
    {"declined", "Declined", "거절함", NULL},
    {"referred", "Referred", "타 기관 의뢰", NULL},
};
VOCAB(v_service_status, "service_status", service_status_items);

static const struct vocab_item kin_items[] = {
    {"mother", "Mother", "어머니", NULL}, {"father", "Father", "아버지", NULL},
    {"child", "Child", "자녀", NULL},	  {"sibling", "Sibling", "형제자매", NULL},
    {"spouse", "Spouse", "배우자", NULL}, {"other", "Other", "기타", NULL},
};
VOCAB(v_kin, "kin", kin_items);

static const struct vocab_item family_status_items[] = {
    {"missing", "Missing", "행방불명", NULL},
    {"found", "Found", "찾음", NULL},
    {"deceased", "Deceased", "사망", NULL},
    {"unknown", "Unknown", "알 수 없음", NULL},
};
VOCAB(v_family_status, "family_status", family_status_items);

static const struct vocab_item given_by_items[] = {
    {"self", "The person", "본인", NULL},
    {"guardian", "Guardian", "보호자", NULL},
    {"other", "Other", "기타", NULL},
};
VOCAB(v_given_by, "consent_given_by", given_by_items);

/* CTDC case status. */
static const struct vocab_item case_status_items[] = {
    {"active", "Active", "진행 중", NULL},
    {"follow_up", "Follow-up", "후속 조치", "follow-up"},
    {"closed", "Closed", "종결", NULL},
    {"closed_referred", "Closed, referred", "종결 (타 기관 의뢰)", "closed-referred"},
};
VOCAB(v_case_status, "case_status", case_status_items);

static const struct vocab_item link_status_items[] = {
    {"proposed", "Proposed", "제안됨", NULL},
    {"confirmed", "Confirmed", "확인됨", NULL},
    {"rejected", "Rejected", "기각됨", NULL},
    {"undone", "Undone", "취소됨", NULL},
};
VOCAB(v_link_status, "link_status", link_status_items);

static const struct vocab_item link_method_items[] = {
    {"manual", "Manual", "수동", NULL},
    {"linkage", "Record linkage", "자동 연계", NULL},
};
VOCAB(v_link_method, "link_method", link_method_items);

static const struct vocab_item trace_status_items[] = {
    {"open", "Open", "진행 중", NULL},
    {"possible_match", "Possible match", "일치 가능성 있음", NULL},
    {"confirmed", "Confirmed", "확인됨", NULL},
    {"closed", "Closed", "종결", NULL},
};
VOCAB(v_trace_status, "trace_status", trace_status_items);

static const struct vocab_item candidate_state_items[] = {
    {"possible", "Possible", "가능성 있음", NULL},
    {"confirmed", "Confirmed", "확인됨", NULL},
    {"rejected", "Rejected", "기각됨", NULL},
};
VOCAB(v_candidate_state, "candidate_state", candidate_state_items);

static const struct vocab *const all_vocabs[] = {
    &v_sex,
    &v_province,
    &v_language,
    &v_leg,
    &v_country,
    &v_journey_status,
    &v_incident_type,
    &v_exploitation,
    &v_role,
    &v_relation,
    &v_means,
    &v_recruitment,
    &v_labour,
    &v_sexual,
    &v_app,
    &v_flag,
    &v_displacement,
    &v_need,
    &v_service_status,
    &v_kin,
    &v_family_status,
    &v_given_by,
    &v_case_status,
    &v_link_status,
    &v_link_method,
    &v_trace_status,
    &v_candidate_state,
};

/* ---------------------------------------------------------------- fields */

enum ftype {
	T_STRING, /* one line of text, no control characters */
	T_TEXT,	  /* free text: \n and \t allowed */
	T_DATE,	  /* "YYYY", "YYYY-MM" or "YYYY-MM-DD" */
	T_INT,	  /* integer in [min, max] */
	T_NUMBER, /* number in [dmin, dmax] */
	T_BOOL,
	T_ENUM,	       /* one id of a vocabulary */
	T_ENUM_LIST,   /* distinct ids of a vocabulary */
	T_STRING_LIST, /* list of T_STRING */
	T_GROUP,       /* object with its own fields */
	T_GROUP_LIST,  /* list of such objects */
	T_REF,	       /* human reference of a record: [A-Za-z0-9._-]{1,63} */
	T_ID_LIST,     /* distinct record ids: 32 lower-case hex digits each */
};

static const char *const type_names[] = {
    "string",	   "text",  "date",	      "int", "number",	"bool", "enum", "enum_list",
    "string_list", "group", "list_of_groups", "ref", "id_list",
};

#define F_REQUIRED 1u

struct group;

struct field {
	const char *name;
	enum ftype type;
	unsigned flags;
	const char *en;
	const char *ko;
	const struct vocab *vocab;   /* T_ENUM, T_ENUM_LIST */
	const struct group *group;   /* T_GROUP, T_GROUP_LIST */
	size_t max_bytes;	     /* strings, per item for lists */
	long long min, max;	     /* T_INT */
	double dmin, dmax;	     /* T_NUMBER */
	size_t min_items, max_items; /* lists */
};

struct path;

struct group {
	const struct field *f;
	size_t n;
	/* a rule over several fields, run after each field passed; may be NULL */
	int (*rule)(const json_t *obj, struct path *p, struct kith_err *err);
};

#define CAP_NAME 200u
#define CAP_SHORT 200u
#define CAP_PLACE 300u
#define CAP_NOTE 4096u
#define CAP_DESC (64u * 1024u)
#define CAP_LONG (100u * 1024u)
#define CAP_REF 63u

/* One macro per type of field; the _REQ ones mark it F_REQUIRED (a version
 * without it is refused). */
#define FSTR(nm, cap, e, k)                                                                                  \
	{                                                                                                    \
		.name = nm, .type = T_STRING, .max_bytes = cap, .en = e, .ko = k                             \
	}
#define FSTR_REQ(nm, cap, e, k)                                                                              \
	{                                                                                                    \
		.name = nm, .type = T_STRING, .flags = F_REQUIRED, .max_bytes = cap, .en = e, .ko = k        \
	}
#define FTEXT(nm, cap, e, k)                                                                                 \
	{                                                                                                    \
		.name = nm, .type = T_TEXT, .max_bytes = cap, .en = e, .ko = k                               \
	}
#define FDATE(nm, e, k)                                                                                      \
	{                                                                                                    \
		.name = nm, .type = T_DATE, .en = e, .ko = k                                                 \
	}
#define FBOOL(nm, e, k)                                                                                      \
	{                                                                                                    \
		.name = nm, .type = T_BOOL, .en = e, .ko = k                                                 \
	}
#define FREF(nm, e, k)                                                                                       \
	{                                                                                                    \
		.name = nm, .type = T_REF, .max_bytes = CAP_REF, .en = e, .ko = k                            \
	}
#define FREF_REQ(nm, e, k)                                                                                   \
	{                                                                                                    \
		.name = nm, .type = T_REF, .flags = F_REQUIRED, .max_bytes = CAP_REF, .en = e, .ko = k       \
	}
#define FENUM(nm, v, e, k)                                                                                   \
	{                                                                                                    \
		.name = nm, .type = T_ENUM, .vocab = &v, .en = e, .ko = k                                    \
	}
#define FENUM_REQ(nm, v, e, k)                                                                               \
	{                                                                                                    \
		.name = nm, .type = T_ENUM, .flags = F_REQUIRED, .vocab = &v, .en = e, .ko = k               \
	}
#define FLIST(nm, v, maxn, e, k)                                                                             \
	{                                                                                                    \
		.name = nm, .type = T_ENUM_LIST, .vocab = &v, .max_items = maxn, .en = e, .ko = k            \
	}
#define FSTRS(nm, cap, maxn, e, k)                                                                           \
	{                                                                                                    \
		.name = nm, .type = T_STRING_LIST, .max_bytes = cap, .max_items = maxn, .en = e, .ko = k     \
	}
#define FGROUP(nm, g, e, k)                                                                                  \
	{                                                                                                    \
		.name = nm, .type = T_GROUP, .group = &g, .en = e, .ko = k                                   \
	}
#define FGROUP_REQ(nm, g, e, k)                                                                              \
	{                                                                                                    \
		.name = nm, .type = T_GROUP, .flags = F_REQUIRED, .group = &g, .en = e, .ko = k              \
	}
#define FGROUPS(nm, g, maxn, e, k)                                                                           \
	{                                                                                                    \
		.name = nm, .type = T_GROUP_LIST, .group = &g, .max_items = maxn, .en = e, .ko = k           \
	}
/* ids of other records (cases), from lo to hi of them */
#define FIDS_REQ(nm, lo, hi, e, k)                                                                           \
	{                                                                                                    \
		.name = nm, .type = T_ID_LIST, .flags = F_REQUIRED, .min_items = lo, .max_items = hi,        \
		.en = e, .ko = k                                                                             \
	}
/* an integer from lo to hi */
#define FINT(nm, lo, hi, e, k)                                                                               \
	{                                                                                                    \
		.name = nm, .type = T_INT, .min = lo, .max = hi, .en = e, .ko = k                            \
	}
#define FINT_REQ(nm, lo, hi, e, k)                                                                           \
	{                                                                                                    \
		.name = nm, .type = T_INT, .flags = F_REQUIRED, .min = lo, .max = hi, .en = e, .ko = k       \
	}
/* a count, a size or a Unix time: an integer from 0 to 2^40 */
#define FCOUNT(nm, e, k)                                                                                     \
	{                                                                                                    \
		.name = nm, .type = T_INT, .min = 0, .max = 1LL << 40, .en = e, .ko = k                      \
	}
#define FCOUNT_REQ(nm, e, k)                                                                                 \
	{                                                                                                    \
		.name = nm, .type = T_INT, .flags = F_REQUIRED, .min = 0, .max = 1LL << 40, .en = e, .ko = k \
	}
/* the required time of an event, in Unix seconds up to 2100-01-01 */
#define FWHEN(nm, e, k)                                                                                      \
	{                                                                                                    \
		.name = nm, .type = T_INT, .flags = F_REQUIRED, .min = 0, .max = 4102444800LL, .en = e,      \
		.ko = k                                                                                      \
	}
#define GROUP(var, arr, fn) static const struct group var = {arr, N_OF(arr), fn}

static int rule_person(const json_t *obj, struct path *p, struct kith_err *err);
static int rule_family(const json_t *obj, struct path *p, struct kith_err *err);
static int rule_seeker(const json_t *obj, struct path *p, struct kith_err *err);
static int rule_sought(const json_t *obj, struct path *p, struct kith_err *err);

/* --- case */

static const struct field origin_fields[] = {
    FENUM("province", v_province, "Province", "도·직할시"),
    FSTR("place", CAP_PLACE, "Town, county or village", "시·군·리"),
};
GROUP(g_origin, origin_fields, NULL);

static const struct field person_fields[] = {
    FSTR_REQ("name", CAP_NAME, "Name as given", "이름 (본인이 밝힌 대로)"),
    FSTRS("other_names", CAP_NAME, 50, "Other names and spellings", "다른 이름·표기"),
    FENUM("sex", v_sex, "Sex", "성별"),
    FDATE("birth", "Date of birth", "생년월일"),
    FINT("age_at_intake", 0, 120, "Age at intake", "접수 당시 나이"),
    FGROUP("origin", g_origin, "Place of origin", "출신지"),
    FLIST("languages", v_language, N_OF(language_items), "Languages", "사용 언어"),
    FSTR("citizenship", CAP_SHORT, "Citizenship", "국적"),
};
GROUP(g_person, person_fields, rule_person);

static const struct field stage_fields[] = {
    FENUM("leg", v_leg, "Stage", "단계"),
    FSTR("place", CAP_PLACE, "Place", "장소"),
    FENUM("country", v_country, "Country", "국가"),
    FSTR("region", CAP_PLACE, "Region or province", "지역 (성·도)"),
    FDATE("date", "Date", "날짜"),
    FENUM("status", v_journey_status, "Situation", "상황"),
};
GROUP(g_stage, stage_fields, NULL);

static const struct field perpetrator_fields[] = {
    FENUM("role", v_role, "Role", "역할"),
    FENUM("relation", v_relation, "Relationship to the survivor", "생존자와의 관계"),
};
GROUP(g_perpetrator, perpetrator_fields, NULL);

static const struct field incident_fields[] = {
    FENUM("type", v_incident_type, "Type of incident", "사건 유형"),
    FLIST("exploitation", v_exploitation, N_OF(exploitation_items), "Type of exploitation", "착취 유형"),
    FDATE("date", "Date", "날짜"),
    FSTR("place", CAP_PLACE, "Place", "장소"),
    FENUM("country", v_country, "Country", "국가"),
    FGROUPS("perpetrators", g_perpetrator, 50, "Perpetrators", "가해자"),
    FLIST("means", v_means, N_OF(means_items), "Means of control", "통제 수단"),
    FENUM("recruitment", v_recruitment, "Recruitment method", "모집 방식"),
    FENUM("labour", v_labour, "Type of labour", "노동 유형"),
    FLIST("sexual_exploitation", v_sexual, N_OF(sexual_items), "Type of sexual exploitation", "성 착취 유형"),
    FLIST("apps", v_app, N_OF(app_items), "Apps used", "사용된 앱"),
    FLIST("flags", v_flag, N_OF(flag_items), "Context", "사건 정황"),
    FENUM("displacement", v_displacement, "Stage of displacement", "이주 단계"),
    FTEXT("description", CAP_DESC, "Description", "설명"),
};
GROUP(g_incident, incident_fields, NULL);

static const struct field service_fields[] = {
    FENUM_REQ("type", v_need, "Service", "서비스"),
    FDATE("date", "Date", "날짜"),
    FSTR("provider", CAP_SHORT, "Provider", "제공 기관"),
    FENUM("status", v_service_status, "Status", "상태"),
};
GROUP(g_service, service_fields, NULL);

static const struct field family_fields[] = {
    FENUM_REQ("relation", v_kin, "Relation", "관계"),
    FREF("case", "Their case number", "해당 가족의 사례 번호"),
    FSTR("name", CAP_NAME, "Name", "이름"),
    FSTRS("other_names", CAP_NAME, 50, "Other names and spellings", "다른 이름·표기"),
    FENUM("sex", v_sex, "Sex", "성별"),
    FDATE("birth", "Date of birth", "생년월일"),
    FTEXT("notes", CAP_NOTE, "Notes", "메모"),
    FENUM("status", v_family_status, "Whereabouts", "소재"),
};
GROUP(g_family, family_fields, rule_family);

static const struct field consent_fields[] = {
    FBOOL("services", "Consents to services", "서비스 제공 동의"),
    FBOOL("reporting", "Consents to reporting (anonymous figures)", "보고·통계 활용 동의 (익명)"),
    FBOOL("tracing", "Consents to family tracing", "가족 찾기 동의"),
    FBOOL("sharing", "Consents to sharing with other organizations", "타 기관과 정보 공유 동의"),
    FENUM("given_by", v_given_by, "Consent given by", "동의한 사람"),
    FDATE("date", "Date of consent", "동의 날짜"),
};
GROUP(g_consent, consent_fields, NULL);

static const struct field source_fields[] = {
    FSTR("organization", CAP_SHORT, "Organization", "기관"),
    FSTR("interviewer", CAP_SHORT, "Interviewer", "면담자"),
    FDATE("date", "Date of interview", "면담 날짜"),
};
GROUP(g_source, source_fields, NULL);

/* A referral to a partner organization: which fields its sheet carried
 * (casework/workflow.h writes these; the sheet itself is not kept). */
static const struct field referral_fields[] = {
    FDATE("date", "Date", "날짜"),
    FSTR("partner", CAP_SHORT, "Partner organization", "의뢰 기관"),
    FSTRS("fields", CAP_SHORT, 50, "Fields shared", "공유한 항목"),
    FSTR("by", CAP_SHORT, "Referred by", "의뢰한 사람"),
};
GROUP(g_referral, referral_fields, NULL);

static const struct field case_fields[] = {
    FREF("ref", "Case number", "사례 번호"),
    FGROUP_REQ("person", g_person, "Person", "인적 사항"),
    FGROUPS("journey", g_stage, 100, "Journey", "이동 경로"),
    FGROUPS("incidents", g_incident, 100, "Incidents", "피해 사건"),
    FLIST("needs", v_need, N_OF(need_items), "Needs", "필요 사항"),
    FGROUPS("services", g_service, 500, "Services", "제공 서비스"),
    FGROUPS("family", g_family, 100, "Family", "가족"),
    FGROUP("consent", g_consent, "Consent", "동의"),
    FGROUP("source", g_source, "Source", "정보 출처"),
    FENUM("status", v_case_status, "Case status", "사례 상태"),
    FSTR("assigned", CAP_SHORT, "Caseworker", "담당자"),
    FSTR("assigned_person", 32, "Caseworker's person id", "담당자 식별자"), /* casework/people.h */
    FDATE("follow_up", "Follow-up date", "후속 조치 날짜"),
    FGROUPS("referrals", g_referral, 500, "Referrals", "의뢰 기록"),
    FTEXT("narrative", CAP_LONG, "Testimony", "진술"),
    FTEXT("notes", CAP_LONG, "Notes", "메모"),
};
GROUP(g_case, case_fields, NULL);

/* --- link */

static const struct field link_fields[] = {
    FIDS_REQ("cases", 2, 1000, "Cases", "사례"),
    FENUM_REQ("status", v_link_status, "Review status", "검토 상태"),
    {.name = "score", .type = T_NUMBER, .dmin = 0.0, .dmax = 1.0, .en = "Match score", .ko = "일치 점수"},
    FENUM_REQ("method", v_link_method, "Method", "방법"),
    FSTR("reviewer", CAP_SHORT, "Reviewer", "검토자"),
    FTEXT("reason", CAP_NOTE, "Reason", "사유"),
};
GROUP(g_link, link_fields, NULL);

/* --- trace */

static const struct field seeker_fields[] = {
    FREF("case", "Their case number", "요청인의 사례 번호"),
    FSTR("name", CAP_NAME, "Name", "이름"),
    FSTRS("other_names", CAP_NAME, 50, "Other names and spellings", "다른 이름·표기"),
    FENUM("sex", v_sex, "Sex", "성별"),
    FDATE("birth", "Date of birth", "생년월일"),
    FTEXT("contact", CAP_NOTE, "How to reach them safely", "안전한 연락 방법"),
    FTEXT("notes", CAP_NOTE, "Notes", "메모"),
};
GROUP(g_seeker, seeker_fields, rule_seeker);

static const struct field age_fields[] = {
    FINT_REQ("years", 0, 120, "Age (years)", "나이 (세)"),
    FINT_REQ("in_year", 1900, 2100, "In the year", "기준 연도"),
};
GROUP(g_age, age_fields, NULL);

static const struct field separation_fields[] = {
    FSTR("place", CAP_PLACE, "Place", "장소"),
    FENUM("country", v_country, "Country", "국가"),
    FDATE("date", "Date", "날짜"),
};
GROUP(g_separation, separation_fields, NULL);

static const struct field sought_fields[] = {
    FSTR("name", CAP_NAME, "Name", "이름"),
    FSTRS("other_names", CAP_NAME, 50, "Other names and spellings", "다른 이름·표기"),
    FENUM("sex", v_sex, "Sex", "성별"),
    FDATE("birth", "Date of birth", "생년월일"),
    FGROUP("age", g_age, "Age at a known time", "특정 시점의 나이"),
    FGROUP("separation", g_separation, "Where and when they were separated", "헤어진 장소와 시기"),
    FENUM("relation", v_kin, "Relation to the person seeking", "요청인과의 관계"),
    FTEXT("details", CAP_NOTE, "Identifying details", "식별 특징"),
};
GROUP(g_sought, sought_fields, rule_sought);

static const struct field trace_consent_fields[] = {
    FBOOL("tracing", "Consents to family tracing", "가족 찾기 동의"),
    FENUM("given_by", v_given_by, "Consent given by", "동의한 사람"),
    FDATE("date", "Date of consent", "동의 날짜"),
};
GROUP(g_trace_consent, trace_consent_fields, NULL);

static const struct field candidate_fields[] = {
    FREF_REQ("case", "Case number", "사례 번호"),
    FENUM_REQ("state", v_candidate_state, "Review", "검토 결과"),
    {.name = "score", .type = T_NUMBER, .dmin = 0.0, .dmax = 1.0, .en = "Score", .ko = "점수"},
};
GROUP(g_candidate, candidate_fields, NULL);

static const struct field trace_fields[] = {
    FREF("ref", "Tracing number", "가족 찾기 번호"),
    FGROUP_REQ("seeker", g_seeker, "Person seeking", "요청인 (가족을 찾는 사람)"),
    FGROUP_REQ("sought", g_sought, "Person sought", "찾는 가족"),
    FENUM("status", v_trace_status, "Status", "상태"),
    FGROUP("consent", g_trace_consent, "Consent", "동의"),
    FGROUPS("candidates", g_candidate, 1000, "Candidate matches", "일치 후보"),
};
GROUP(g_trace, trace_fields, NULL);

/* --- device (issue 12): a field device headquarters enrolled; its name is the ref */

static const struct field device_fields[] = {
    FREF_REQ("ref", "Device name", "기기 이름"),
    FSTR_REQ("sign_pk", 64, "Signing key", "서명 키"),
    FSTR_REQ("box_pk", 64, "Encryption key", "암호화 키"),
    FSTR_REQ("vault", 32, "Field vault", "현장 보관함"),
    FCOUNT_REQ("added", "Added", "추가"),
    FCOUNT("revoked_at", "Revoked", "폐기"),
    FSTR("revocation", 128, "Revocation signature", "폐기 서명"),
};
GROUP(g_device, device_fields, NULL);
/* --- attachment (casework/attach.h): a file attached to a case; its bytes
 * are chunks in the vault's blobs table (vault/blob.h), and its key is here,
 * inside the envelope, so it is sealed like any record. */

static const struct field attachment_fields[] = {
    FIDS_REQ("case", 1, 1, "Case", "사례"),
    FSTR("name", CAP_NAME, "File name", "파일 이름"),
    FSTR("type", CAP_SHORT, "File type", "파일 형식"),
    FCOUNT("size", "Size", "크기"),
    FSTR("blob", 64, "Stored bytes", "저장된 내용"),
    FSTR("key", 128, "Key", "키"),
    FBOOL("stripped", "Photo metadata removed", "사진 메타데이터 제거됨"),
    FBOOL("removed", "Removed", "삭제됨"),
    FBOOL("purged", "Bytes destroyed", "내용 완전 삭제됨"),
    FTEXT("note", CAP_NOTE, "Note", "메모"),
};
GROUP(g_attachment, attachment_fields, NULL);
/* --- draft: a form as it is being typed (casework/drafts.h). `data` is the
 * form's own JSON text, kept as a string so that a half-filled form (a date
 * without a year, a required field still empty) is kept as typed. Drafts
 * never leave the vault: export, figures, search and bundles read other kinds. */
#define CAP_DRAFT (1024u * 1024u)
static const struct field draft_fields[] = {
    FSTR_REQ("form", CAP_SHORT, "Form", "입력 양식"),
    FSTR("title", CAP_SHORT, "Title", "제목"),
    FTEXT("data", CAP_DRAFT, "What was typed", "입력한 내용"),
    FBOOL("open", "Open", "작성 중"),
};
GROUP(g_draft, draft_fields, NULL);

/* --- keybackup: that the organization key was backed up, and when
 * (casework/keystatus.h) */
static const struct field keybackup_fields[] = {
    FWHEN("at", "When (Unix seconds)", "시각 (유닉스 초)"),
    FSTR("method", CAP_SHORT, "How", "방법"),
};
GROUP(g_keybackup, keybackup_fields, NULL);

/* --- export: that cases left the vault in plaintext, how and under which
 * consent filter (casework/exchange.h, kith_exchange_record) */
static const struct field export_fields[] = {
    FWHEN("at", "When (Unix seconds)", "시각 (유닉스 초)"),
    FSTR("format", CAP_SHORT, "Format", "형식"),
    FSTR("lang", CAP_SHORT, "Language", "언어"),
    FSTR("consent", CAP_SHORT, "Consent filter", "동의 조건"),
    FCOUNT("cases", "Cases", "사례 수"),
    FCOUNT("left_out", "Left out", "제외된 사례 수"),
    FCOUNT("attachments", "Attachments", "첨부 파일 수"),
    FSTR("by", CAP_SHORT, "By", "내보낸 사람"),
};
GROUP(g_export, export_fields, NULL);
/* --- person: someone enrolled on the vault, with a role and a passphrase
 * slot of their own (casework/people.h, vault/people.c: `pid` names the slot,
 * `slot` is its digest). Encrypted like any record: the file shows no name
 * and no role. */
static const struct field member_fields[] = {
    FSTR_REQ("name", CAP_NAME, "Name", "이름"),
    FSTR_REQ("role", 16, "Role", "역할"),
    FSTR("pid", 32, "Person id", "사용자 식별자"), /* absent for the main passphrase's admin */
    FSTR("slot", 64, "Key slot digest", "키 슬롯 요약값"),
    FBOOL("main", "Holds the main passphrase", "기본 암호 사용자"),
    FCOUNT("added", "Added", "추가"),
    FBOOL("removed", "Removed", "삭제됨"),
    FCOUNT("removed_at", "Removed", "삭제"),
    FSTRS("sign_pks", 64, 1024, "Signing keys (format 2)", "서명 키 (형식 2)"), /* vault/person.h */
};
GROUP(g_member, member_fields, NULL);
/* --- view: that a person opened a case (casework/people.h), for admins */
static const struct field view_fields[] = {
    FIDS_REQ("case", 1, 1, "Case", "사례"),
    FSTR("person", 32, "Person id", "사용자 식별자"),
    FSTR("what", CAP_SHORT, "What was read", "열람 내용"),
    FCOUNT("at", "When", "시각"),
};
GROUP(g_view, view_fields, NULL);

struct kind {
	const char *name;
	const char *en;
	const char *ko;
	int has_ref;
	const struct group *group;
};

static const struct kind kinds[] = {
    {"case", "Case", "사례", 1, &g_case},
    {"link", "Reviewed link", "동일인 검토", 0, &g_link},
    {"trace", "Family tracing request", "가족 찾기 요청", 1, &g_trace},
    {"device", "Field device", "현장 기기", 1, &g_device},
    {"attachment", "Attachment", "첨부 파일", 0, &g_attachment},
    {"draft", "Draft of a form", "작성 중인 양식", 0, &g_draft},
    {"keybackup", "Organization key backup", "기관 키 백업", 0, &g_keybackup},
    {"export", "Export", "내보내기 기록", 0, &g_export},
    {"person", "Person", "사용자", 0, &g_member},
    {"view", "Case viewed", "사례 열람", 0, &g_view},
};

static const struct kind *find_kind(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < N_OF(kinds); i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

/* ---------------------------------------------------------------- paths */

/* The walk's state: the path of the field it is in, and an upper bound of
 * the compact JSON size of what it has checked so far. */
struct path {
	char b[KITH_ERR_WHERE_MAX];
	size_t n;
	size_t bound;
};

static void bound_add(struct path *p, size_t n)
{
	p->bound = p->bound > SIZE_MAX - n ? SIZE_MAX : p->bound + n;
}

/* An upper bound of the compact JSON size of a checked scalar: a string that
 * passed the text rules has no control characters but \n and \t, so each byte
 * takes at most two (an escape), plus the quotes. */
static size_t scalar_bound(const json_t *v)
{
	if (json_is_string(v))
		return 2 * json_string_length(v) + 2;
	if (json_is_integer(v))
		return 21;
	if (json_is_real(v))
		return 40;
	return 5; /* true, false */
}

static void path_put(struct path *p, const char *s, size_t len)
{
	size_t room = sizeof p->b - 1 - p->n;
	if (len > room)
		len = room;
	memcpy(p->b + p->n, s, len);
	p->n += len;
	p->b[p->n] = '\0';
}

/* Appends ".key" (or "key" at the top). A key from the input is shown only
 * when it looks like a field name; anything else becomes "?". */
static size_t path_key(struct path *p, const char *key)
{
	size_t old = p->n;
	if (p->n)
		path_put(p, ".", 1);
	size_t len = strlen(key);
	int plain = len > 0 && len <= 40;
	for (size_t i = 0; plain && i < len; i++) {
		char c = key[i];
		plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			c == '_' || c == '-';
	}
	if (plain)
		path_put(p, key, len);
	else
		path_put(p, "?", 1);
	return old;
}

static size_t path_index(struct path *p, size_t i)
{
	size_t old = p->n;
	char tmp[32];
	int n = snprintf(tmp, sizeof tmp, "[%zu]", i);
	path_put(p, tmp, (size_t)n);
	return old;
}

static void path_pop(struct path *p, size_t old)
{
	p->n = old;
	p->b[old] = '\0';
}

#define BAD(p, err, ...) kith_err_set(err, KITH_E_INVALID, (p)->b, __VA_ARGS__)

/* ---------------------------------------------------------------- scalars */

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in(int y, int m)
{
	static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

static int digits(const char *s, size_t n, int *out)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

int kith_record_date_parse(const char *s, size_t len, int *year, int *month, int *day)
{
	int y = 0, m = 0, d = 0;
	if (!s || (len != 4 && len != 7 && len != 10))
		return KITH_E_INVALID;
	if (!digits(s, 4, &y) || y < KITH_RECORD_YEAR_MIN || y > KITH_RECORD_YEAR_MAX)
		return KITH_E_INVALID;
	if (len >= 7) {
		if (s[4] != '-' || !digits(s + 5, 2, &m) || m < 1 || m > 12)
			return KITH_E_INVALID;
	}
	if (len == 10) {
		if (s[7] != '-' || !digits(s + 8, 2, &d) || d < 1 || d > days_in(y, m))
			return KITH_E_INVALID;
	}
	if (year)
		*year = y;
	if (month)
		*month = m;
	if (day)
		*day = d;
	return len == 4 ? 1 : len == 7 ? 2 : 3;
}

static int ref_ok(const char *s, size_t len)
{
	if (len < 1 || len > CAP_REF)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

int kith_record_ref_valid(const char *ref)
{
	return ref && ref_ok(ref, strlen(ref));
}

static int id_ok(const char *s, size_t len)
{
	if (len != 32)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* Text rules: not empty, valid UTF-8, at most cap characters (code points:
 * a Hangul syllable is one, as a person counts it), no C0/C1 control
 * characters or DEL (except \n and \t when multiline). */
static int check_chars(const char *s, size_t len, size_t cap, int multiline, struct path *p,
		       struct kith_err *err)
{
	if (len == 0)
		return BAD(p, err, "is empty (leave the field out instead)");
	if (len > 4 * cap) /* more than cap characters whatever they are */
		return BAD(p, err, "is longer than %zu characters", cap);
	if (kith_utf8_check(s, len) != len)
		return BAD(p, err, "is not valid UTF-8");
	const unsigned char *u = (const unsigned char *)s;
	size_t chars = 0;
	for (size_t i = 0; i < len; i++)
		chars += (u[i] & 0xC0) != 0x80;
	if (chars > cap)
		return BAD(p, err, "is longer than %zu characters", cap);
	for (size_t i = 0; i < len; i++) {
		unsigned c = u[i];
		int ctl = c < 0x20 || c == 0x7F ||
			  (c == 0xC2 && i + 1 < len && u[i + 1] >= 0x80 && u[i + 1] <= 0x9F);
		if (ctl && !(multiline && (c == '\n' || c == '\t')))
			return BAD(p, err, "holds a control character at byte %zu", i + 1);
	}
	return KITH_OK;
}

/* Why a date text is not a date, one message per mistake a person makes:
 * a short year ("19"), a year out of range (1850), a month that does not
 * exist (2019-13), a day that does not exist (45, or 30 February). Numbers
 * of months and days are named; the year is not quoted. */
static int date_problem(const char *s, size_t len, struct path *p, struct kith_err *err)
{
	int part[3] = {0, 0, 0}, digits[3] = {0, 0, 0}, n = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			if (digits[n] < 5)
				part[n] = part[n] * 10 + (s[i] - '0');
			digits[n]++;
		} else if (s[i] == '-' && n < 2 && digits[n] > 0) {
			n++;
		} else {
			return BAD(p, err, "must be a date YYYY, YYYY-MM or YYYY-MM-DD between %d and %d",
				   KITH_RECORD_YEAR_MIN, KITH_RECORD_YEAR_MAX);
		}
	}
	if (digits[n] == 0 || digits[0] != 4 || (n >= 1 && digits[1] != 2) || (n == 2 && digits[2] != 2)) {
		if (digits[0] != 4)
			return BAD(p, err, "is not a date: a year has four digits");
		return BAD(p, err, "must be a date YYYY, YYYY-MM or YYYY-MM-DD between %d and %d",
			   KITH_RECORD_YEAR_MIN, KITH_RECORD_YEAR_MAX);
	}
	if (part[0] < KITH_RECORD_YEAR_MIN)
		return BAD(p, err, "is a date before %d", KITH_RECORD_YEAR_MIN);
	if (part[0] > KITH_RECORD_YEAR_MAX)
		return BAD(p, err, "is a date after %d", KITH_RECORD_YEAR_MAX);
	if (n >= 1 && (part[1] < 1 || part[1] > 12))
		return BAD(p, err, "is not a date: no month %d (months are 1 to 12)", part[1]);
	if (n == 2) {
		static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
		int y = part[0], m = part[1];
		int last = m == 2 ? ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28) : mdays[m - 1];
		if (part[2] < 1 || part[2] > 31)
			return BAD(p, err, "is not a date: no day %d (days are 1 to 31)", part[2]);
		if (part[2] > last)
			return BAD(p, err,
				   "is not a date: no day %d in month %d of that year (it has %d days)",
				   part[2], m, last);
	}
	return BAD(p, err, "must be a date YYYY, YYYY-MM or YYYY-MM-DD between %d and %d",
		   KITH_RECORD_YEAR_MIN, KITH_RECORD_YEAR_MAX);
}

static int check_string(const struct field *f, const json_t *v, int multiline, struct path *p,
			struct kith_err *err)
{
	if (!json_is_string(v))
		return BAD(p, err, "must be a string");
	return check_chars(json_string_value(v), json_string_length(v), f->max_bytes, multiline, p, err);
}

static const struct vocab_item *vocab_find(const struct vocab *vc, const char *id, size_t len)
{
	for (size_t i = 0; i < vc->n; i++)
		if (strlen(vc->items[i].id) == len && memcmp(vc->items[i].id, id, len) == 0)
			return &vc->items[i];
	return NULL;
}

static int check_enum(const struct vocab *vc, const json_t *v, struct path *p, struct kith_err *err)
{
	if (!json_is_string(v))
		return BAD(p, err, "must be a string from the vocabulary '%s'", vc->name);
	if (!vocab_find(vc, json_string_value(v), json_string_length(v)))
		return BAD(p, err, "is not in the vocabulary '%s'", vc->name);
	return KITH_OK;
}

static int check_group(const struct group *g, const json_t *obj, struct path *p, struct kith_err *err);

static int check_list(const struct field *f, const json_t *v, struct path *p, struct kith_err *err)
{
	if (!json_is_array(v))
		return BAD(p, err, "must be a list");
	size_t n = json_array_size(v);
	if (n < f->min_items)
		return BAD(p, err, "must hold at least %zu items", f->min_items);
	if (f->max_items && n > f->max_items)
		return BAD(p, err, "holds more than %zu items", f->max_items);
	bound_add(p, 2 + n); /* brackets and commas */
	for (size_t i = 0; i < n; i++) {
		const json_t *item = json_array_get(v, i);
		size_t old = path_index(p, i);
		int rc = KITH_OK;
		switch (f->type) {
		case T_ENUM_LIST:
			rc = check_enum(f->vocab, item, p, err);
			break;
		case T_STRING_LIST:
			rc = check_string(f, item, 0, p, err);
			break;
		case T_GROUP_LIST:
			rc = check_group(f->group, item, p, err);
			break;
		case T_ID_LIST:
			if (!json_is_string(item) ||
			    !id_ok(json_string_value(item), json_string_length(item)))
				rc = BAD(p, err, "must be a record id of 32 lower-case hex digits");
			break;
		default:
			rc = kith_err_set(err, KITH_E_INTERNAL, p->b, "not a list type");
			break;
		}
		if (!rc && (f->type == T_ENUM_LIST || f->type == T_ID_LIST)) {
			for (size_t j = 0; j < i; j++) {
				if (strcmp(json_string_value(json_array_get(v, j)),
					   json_string_value(item)) == 0) {
					rc = BAD(p, err, "repeats item %zu", j);
					break;
				}
			}
		}
		if (rc)
			return rc;
		if (f->type != T_GROUP_LIST)
			bound_add(p, scalar_bound(item));
		path_pop(p, old);
	}
	return KITH_OK;
}

static int check_field(const struct field *f, const json_t *v, struct path *p, struct kith_err *err)
{
	switch (f->type) {
	case T_STRING:
		return check_string(f, v, 0, p, err);
	case T_TEXT:
		return check_string(f, v, 1, p, err);
	case T_REF:
		if (!json_is_string(v) || !ref_ok(json_string_value(v), json_string_length(v)))
			return BAD(p, err, "must be a reference of 1 to 63 letters, digits, '.', '_' or '-'");
		return KITH_OK;
	case T_DATE:
		if (!json_is_string(v))
			return BAD(p, err, "must be a date YYYY, YYYY-MM or YYYY-MM-DD between %d and %d",
				   KITH_RECORD_YEAR_MIN, KITH_RECORD_YEAR_MAX);
		if (kith_record_date_parse(json_string_value(v), json_string_length(v), NULL, NULL, NULL) < 0)
			return date_problem(json_string_value(v), json_string_length(v), p, err);
		return KITH_OK;
	case T_INT:
		if (!json_is_integer(v))
			return BAD(p, err, "must be a whole number");
		if (json_integer_value(v) < f->min || json_integer_value(v) > f->max)
			return BAD(p, err, "must be between %lld and %lld", f->min, f->max);
		return KITH_OK;
	case T_NUMBER: {
		if (!json_is_number(v))
			return BAD(p, err, "must be a number");
		double d = json_number_value(v);
		if (!isfinite(d) || d < f->dmin || d > f->dmax)
			return BAD(p, err, "must be between %g and %g", f->dmin, f->dmax);
		return KITH_OK;
	}
	case T_BOOL:
		if (!json_is_boolean(v))
			return BAD(p, err, "must be true or false");
		return KITH_OK;
	case T_ENUM:
		return check_enum(f->vocab, v, p, err);
	case T_GROUP:
		return check_group(f->group, v, p, err);
	case T_ENUM_LIST:
	case T_STRING_LIST:
	case T_GROUP_LIST:
	case T_ID_LIST:
		return check_list(f, v, p, err);
	}
	return kith_err_set(err, KITH_E_INTERNAL, p->b, "unknown field type");
}

static const struct field *group_field(const struct group *g, const char *key)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->f[i].name, key) == 0)
			return &g->f[i];
	return NULL;
}

static int check_group(const struct group *g, const json_t *obj, struct path *p, struct kith_err *err)
{
	if (!json_is_object(obj))
		return BAD(p, err, "must be an object");
	const char *key;
	json_t *v;
	/* jansson iterates in insertion order; check unknown keys first so the
	 * message is the same whatever the order of the input. */
	json_object_foreach((json_t *)obj, key, v)
	{
		if (!group_field(g, key)) {
			size_t old = path_key(p, key);
			int rc = BAD(p, err, "unknown field");
			path_pop(p, old);
			return rc;
		}
	}
	bound_add(p, 2); /* braces */
	for (size_t i = 0; i < g->n; i++) {
		const struct field *f = &g->f[i];
		const json_t *fv = json_object_get(obj, f->name);
		size_t old = path_key(p, f->name);
		int rc = KITH_OK;
		if (!fv) {
			if (f->flags & F_REQUIRED)
				rc = BAD(p, err, "is required");
		} else {
			rc = check_field(f, fv, p, err);
			/* "key": and a comma; a scalar's own size (containers count theirs) */
			bound_add(p, strlen(f->name) + 4);
			if (!json_is_object(fv) && !json_is_array(fv))
				bound_add(p, scalar_bound(fv));
		}
		if (rc)
			return rc;
		path_pop(p, old);
	}
	if (g->rule)
		return g->rule(obj, p, err);
	return KITH_OK;
}

/* ---------------------------------------------------------------- group rules */

static int has_text(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	if (!json_is_string(v))
		return 0;
	const char *s = json_string_value(v);
	for (size_t i = 0; i < json_string_length(v); i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n')
			return 1;
	return 0;
}

static int rule_person(const json_t *obj, struct path *p, struct kith_err *err)
{
	if (!has_text(obj, "name")) {
		size_t old = path_key(p, "name");
		int rc = BAD(p, err, "is blank");
		path_pop(p, old);
		return rc;
	}
	return KITH_OK;
}

static int described(const json_t *obj)
{
	return json_object_get(obj, "name") || json_object_get(obj, "other_names") ||
	       json_object_get(obj, "sex") || json_object_get(obj, "birth");
}

/* A family member is another case (`case`) or a described relative, or
 * both: a described relative whose case was found by tracing keeps the
 * description the person gave (casework/trace.h). */
static int rule_family(const json_t *obj, struct path *p, struct kith_err *err)
{
	if (json_object_get(obj, "case"))
		return KITH_OK;
	if (!described(obj) && !json_object_get(obj, "notes"))
		return BAD(p, err,
			   "needs a case or a described relative (name, other names, sex, birth or notes)");
	return KITH_OK;
}

static int rule_seeker(const json_t *obj, struct path *p, struct kith_err *err)
{
	if (json_object_get(obj, "case")) {
		if (described(obj))
			return BAD(p, err, "gives both a case and a description: give one");
		return KITH_OK;
	}
	if (!has_text(obj, "name"))
		return BAD(p, err, "needs a case or a name");
	return KITH_OK;
}

/* The person sought must be identifiable: a name, or a birth date or age
 * together with sex and the place of separation. */
static int rule_sought(const json_t *obj, struct path *p, struct kith_err *err)
{
	if (has_text(obj, "name") || json_array_size(json_object_get(obj, "other_names")) > 0)
		return KITH_OK;
	const json_t *sep = json_object_get(obj, "separation");
	if ((json_object_get(obj, "birth") || json_object_get(obj, "age")) && json_object_get(obj, "sex") &&
	    sep && json_object_get(sep, "place"))
		return KITH_OK;
	return BAD(p, err,
		   "does not identify anyone: give a name, or a birth date or age with sex and the place of "
		   "separation");
}

/* ---------------------------------------------------------------- public: validation, canonical form */

static int count_cb(const char *buffer, size_t size, void *data)
{
	(void)buffer;
	size_t *total = data;
	*total += size;
	return *total > KITH_RECORD_MAX_BYTES ? -1 : 0;
}

int kith_record_validate(const char *kind, const json_t *body, struct kith_err *err)
{
	const struct kind *k = find_kind(kind);
	if (!k)
		return kith_err_set(err, KITH_E_INVALID, "kind", "unknown record kind");
	struct path p = {{0}, 0, 0};
	if (!json_is_object(body))
		return kith_err_set(err, KITH_E_INVALID, "", "a record must be a JSON object");
	int rc = check_group(k->group, body, &p, err);
	if (rc)
		return rc;
	if (p.bound <= KITH_RECORD_MAX_BYTES)
		return KITH_OK; /* surely within the cap: no need to measure */
	size_t total = 0;
	if (json_dump_callback(body, count_cb, &total, JSON_COMPACT) != 0) {
		if (total > KITH_RECORD_MAX_BYTES)
			return kith_err_set(err, KITH_E_INVALID, "", "the record is larger than %u bytes",
					    (unsigned)KITH_RECORD_MAX_BYTES);
		/* jansson allocates while dumping (its loop check) */
		return kith_err_set(err, KITH_E_NOMEM, "", "out of memory");
	}
	return KITH_OK;
}

/* A dump into a buffer whose failure sticks: jansson (2.14) ignores the
 * callback's failure while it writes an object's key and goes on, so one
 * failed write would drop a key from an output reported whole. */
struct sink {
	struct kith_sbuf *sb;
	int failed;
};

static int sbuf_cb(const char *buffer, size_t size, void *data)
{
	struct sink *s = data;
	if (s->failed || kith_sbuf_add(s->sb, buffer, size))
		s->failed = 1;
	return s->failed ? -1 : 0;
}

/*
 * The canonical form written directly: the same bytes as jansson's
 * json_dump_callback(JSON_COMPACT | JSON_SORT_KEYS) — keys sorted bytewise,
 * no space, '"' '\\' and control characters escaped (\b \f \n \r \t, else
 * \u00XX in upper-case hex), everything else as it is (UTF-8) — at a tenth
 * of the cost (jansson calls back per fragment, allocates per object and
 * decodes every code point). What it cannot vouch for is left to jansson:
 * a real (jansson's own formatting is used), a key holding a NUL, a string
 * that is not UTF-8, a tree deeper than CANON_DEPTH (jansson checks loops).
 * Returns 0, CANON_UNSURE or KITH_E_NOMEM. test_record_record and
 * fuzz_case_json compare the two on every input.
 */
#define CANON_DEPTH 64
#define CANON_UNSURE 1
#define CANON_KEYS 64 /* keys sorted on the stack; more are allocated */

struct canon_key {
	const char *k;
	size_t n;
	json_t *v;
};

static int canon_key_cmp(const void *a, const void *b)
{
	const struct canon_key *x = a, *y = b;
	int r = memcmp(x->k, y->k, x->n < y->n ? x->n : y->n);
	return r ? r : (x->n > y->n) - (x->n < y->n);
}

/* The keys in canon_key_cmp's order: insertion sort for the few keys of most
 * objects (no call per comparison, one pass over keys already in order, as
 * in a body read from its canonical form), qsort for many. */
static void canon_keys_sort(struct canon_key *keys, size_t n)
{
	if (n > 16) {
		qsort(keys, n, sizeof *keys, canon_key_cmp);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		struct canon_key x = keys[i];
		size_t j = i;
		for (; j > 0 && canon_key_cmp(&keys[j - 1], &x) > 0; j--)
			keys[j] = keys[j - 1];
		keys[j] = x;
	}
}

/* Whether the 8 bytes at p are all printable ASCII (0x20 to 0x7E) other
 * than '"' and '\\': what a string copies or skips as it is. Byte tricks
 * on one 64-bit word (each test is exact as an "any byte"); *spaces: all
 * eight are spaces. */
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static int plain8(const unsigned char *p, int *spaces)
{
	uint64_t x;
	memcpy(&x, p, 8);
	uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\'), d = x ^ (ONES * 0x7F);
	uint64_t bad = (x & HIGHS) | ((x - ONES * 0x20) & ~x & HIGHS) | ((q - ONES) & ~q & HIGHS) |
		       ((b - ONES) & ~b & HIGHS) | ((d - ONES) & ~d & HIGHS);
	*spaces = x == ONES * ' ';
	return bad == 0;
}

/* The length of the UTF-8 sequence at u[0] (n bytes left) when it is
 * valid as kith_utf8_check has it (no overlong form, no surrogate, nothing
 * above U+10FFFF), else 0. *cp: the code point. */
static size_t utf8_seq(const unsigned char *u, size_t n, uint32_t *cp)
{
	unsigned c = u[0];
	size_t len;
	uint32_t v;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		v = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((u[k] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (u[k] & 0x3F);
	}
	if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000) || v > 0x10FFFF ||
	    (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

static int canon_string(struct kith_sbuf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u = (const unsigned char *)s;
	if (kith_sbuf_grow(out, n + 2) || kith_sbuf_addc(out, '"'))
		return KITH_E_NOMEM;
	size_t run = 0;
	for (size_t i = 0; i < n;) {
		int sp;
		if (n - i >= 8 && plain8(u + i, &sp)) {
			i += 8;
			continue;
		}
		unsigned char c = u[i];
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		if (c >= 0x80) { /* jansson's dump refuses a string that is not UTF-8: so does this */
			uint32_t cp;
			size_t len = utf8_seq(u + i, n - i, &cp);
			if (!len)
				return CANON_UNSURE;
			i += len;
			continue;
		}
		if (kith_sbuf_add(out, s + run, i - run))
			return KITH_E_NOMEM;
		run = ++i;
		char e[6] = {'\\', 0, '0', '0', hex[c >> 4], hex[c & 15]};
		size_t el = 2;
		switch (c) {
		case '"':
		case '\\':
			e[1] = (char)c;
			break;
		case '\b':
			e[1] = 'b';
			break;
		case '\f':
			e[1] = 'f';
			break;
		case '\n':
			e[1] = 'n';
			break;
		case '\r':
			e[1] = 'r';
			break;
		case '\t':
			e[1] = 't';
			break;
		default:
			e[1] = 'u';
			el = 6;
			break;
		}
		if (kith_sbuf_add(out, e, el))
			return KITH_E_NOMEM;
	}
	if (kith_sbuf_add(out, s + run, n - run) || kith_sbuf_addc(out, '"'))
		return KITH_E_NOMEM;
	return 0;
}

static int canon_value(const json_t *v, struct kith_sbuf *out, int depth)
{
	char num[32];
	if (depth > CANON_DEPTH)
		return CANON_UNSURE;
	switch (json_typeof(v)) {
	case JSON_NULL:
		return kith_sbuf_add(out, "null", 4) ? KITH_E_NOMEM : 0;
	case JSON_TRUE:
		return kith_sbuf_add(out, "true", 4) ? KITH_E_NOMEM : 0;
	case JSON_FALSE:
		return kith_sbuf_add(out, "false", 5) ? KITH_E_NOMEM : 0;
	case JSON_INTEGER: {
		int len = snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		if (len < 0 || (size_t)len >= sizeof num)
			return CANON_UNSURE;
		return kith_sbuf_add(out, num, (size_t)len) ? KITH_E_NOMEM : 0;
	}
	case JSON_REAL: {
		size_t len = json_dumpb(v, num, sizeof num, JSON_ENCODE_ANY | JSON_COMPACT);
		if (len == 0 || len > sizeof num)
			return CANON_UNSURE;
		return kith_sbuf_add(out, num, len) ? KITH_E_NOMEM : 0;
	}
	case JSON_STRING:
		return canon_string(out, json_string_value(v), json_string_length(v));
	case JSON_ARRAY: {
		if (kith_sbuf_addc(out, '['))
			return KITH_E_NOMEM;
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i && kith_sbuf_addc(out, ','))
				return KITH_E_NOMEM;
			int rc = canon_value(json_array_get(v, i), out, depth + 1);
			if (rc)
				return rc;
		}
		return kith_sbuf_addc(out, ']') ? KITH_E_NOMEM : 0;
	}
	case JSON_OBJECT: {
		struct canon_key local[CANON_KEYS], *keys = local;
		size_t n = json_object_size(v), i = 0;
		if (n > CANON_KEYS && !(keys = malloc(n * sizeof *keys)))
			return KITH_E_NOMEM;
		int rc = 0;
		for (void *it = json_object_iter((json_t *)v); it && i < n;
		     it = json_object_iter_next((json_t *)v, it), i++) {
			keys[i].k = json_object_iter_key(it);
			keys[i].n = json_object_iter_key_len(it);
			keys[i].v = json_object_iter_value(it);
			if (strlen(keys[i].k) != keys[i].n)
				rc = CANON_UNSURE; /* a NUL in a key */
		}
		if (i != n)
			rc = CANON_UNSURE;
		if (!rc) {
			canon_keys_sort(keys, n);
			rc = kith_sbuf_addc(out, '{') ? KITH_E_NOMEM : 0;
		}
		for (i = 0; i < n && !rc; i++) {
			if (i && kith_sbuf_addc(out, ','))
				rc = KITH_E_NOMEM;
			if (!rc)
				rc = canon_string(out, keys[i].k, keys[i].n);
			if (!rc && kith_sbuf_addc(out, ':'))
				rc = KITH_E_NOMEM;
			if (!rc)
				rc = canon_value(keys[i].v, out, depth + 1);
		}
		if (!rc && kith_sbuf_addc(out, '}'))
			rc = KITH_E_NOMEM;
		if (keys != local)
			free(keys);
		return rc;
	}
	}
	return CANON_UNSURE;
}

/* Takes the output back to `start`, wiping what was written after it. */
static void canon_undo(struct kith_sbuf *out, size_t start)
{
	if (out->buf && out->len > start) {
		sodium_memzero(out->buf + start, out->len - start);
		out->len = start;
		out->buf[start] = '\0';
	}
}

int kith_record_canonical(const json_t *body, struct kith_sbuf *out, struct kith_err *err)
{
	if (!json_is_object(body))
		return kith_err_set(err, KITH_E_INVALID, "", "a record must be a JSON object");
	size_t start = out->len;
	int fast = canon_value(body, out, 0);
	if (fast == 0)
		return KITH_OK;
	canon_undo(out, start);
	if (fast == KITH_E_NOMEM)
		return kith_err_set(err, KITH_E_NOMEM, "", "out of memory writing the canonical form");
	return kith_record_canonical_jansson(body, out, err);
}

/* Skips one JSON value of well-formed text (kith's own canonical form). */
static size_t skip_value(const char *s, size_t n, size_t i)
{
	size_t depth = 0;
	while (i < n) {
		char c = s[i];
		if (c == '"') { /* to the next quote not escaped (an even run of backslashes before it) */
			for (i++;;) {
				const char *q = memchr(s + i, '"', n - i);
				if (!q)
					return n;
				size_t at = (size_t)(q - s), bs = 0;
				while (at - bs > i && s[at - bs - 1] == '\\')
					bs++;
				i = at + 1;
				if (bs % 2 == 0)
					break;
			}
		} else if (c == '{' || c == '[') {
			depth++;
			i++;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return i;
			depth--;
			i++;
		} else if (c == ',' && depth == 0) {
			return i;
		} else {
			i++;
		}
		if (depth == 0 && i < n && (s[i] == ',' || s[i] == '}' || s[i] == ']'))
			return i;
	}
	return i;
}

int kith_record_canonical_set_ref(struct kith_sbuf *canon, size_t start, const char *ref)
{
	if (!kith_record_ref_valid(ref))
		return KITH_E_INVALID;
	const char *s = canon->buf + start;
	size_t n = canon->len - start, i = 1;
	if (n < 2 || s[0] != '{')
		return KITH_E_INVALID;
	/* the member to insert, or the value to put in place of the old one */
	char member[8 + 64 + 4];
	size_t at = n - 1, cut = 0; /* default: before the closing brace */
	int replace = 0;
	while (i < n && s[i] == '"') {
		size_t k = i + 1, e = k;
		while (e < n && s[e] != '"')
			e += s[e] == '\\' ? 2 : 1;
		if (e >= n)
			return KITH_E_INVALID;
		/* raw and decoded keys order the same against "ref": an escape's
		 * bytes ('\\', or what it stands for: '"', '\\', a control
		 * character) all sort before 'e', 'f' and 'r' */
		size_t kl = e - k;
		int cmp = memcmp(s + k, "ref", kl < 3 ? kl : 3);
		if (!cmp)
			cmp = (kl > 3) - (kl < 3);
		size_t vstart = e + 2; /* past '":' */
		size_t vend = skip_value(s, n, vstart);
		if (cmp == 0) {
			at = vstart;
			cut = vend - vstart;
			replace = 1;
			break;
		}
		if (cmp > 0) {
			at = i;
			break;
		}
		if (vend >= n || s[vend] != ',')
			break; /* the last member: insert before the brace */
		i = vend + 1;
	}
	int len = replace		 ? snprintf(member, sizeof member, "\"%s\"", ref)
		  : at == n - 1 && n > 2 ? snprintf(member, sizeof member, ",\"ref\":\"%s\"", ref)
		  : n > 2		 ? snprintf(member, sizeof member, "\"ref\":\"%s\",", ref)
					 : snprintf(member, sizeof member, "\"ref\":\"%s\"", ref);
	if (len < 0 || (size_t)len >= sizeof member)
		return KITH_E_INVALID;
	size_t ml = (size_t)len;
	if (ml > cut && kith_sbuf_grow(canon, ml - cut))
		return KITH_E_NOMEM;
	char *b = canon->buf + start;
	memmove(b + at + ml, b + at + cut, n - at - cut);
	memcpy(b + at, member, ml);
	canon->len = canon->len - cut + ml;
	canon->buf[canon->len] = '\0';
	return KITH_OK;
}

int kith_record_canonical_jansson(const json_t *body, struct kith_sbuf *out, struct kith_err *err)
{
	if (!json_is_object(body))
		return kith_err_set(err, KITH_E_INVALID, "", "a record must be a JSON object");
	size_t start = out->len;
	struct sink s = {out, 0};
	if (json_dump_callback(body, sbuf_cb, &s, JSON_COMPACT | JSON_SORT_KEYS) != 0 || s.failed) {
		/* undo the partial output: the buffer is as it was */
		if (out->buf && out->len > start) {
			sodium_memzero(out->buf + start, out->len - start);
			out->len = start;
			out->buf[start] = '\0';
		}
		return kith_err_set(err, KITH_E_NOMEM, "", "out of memory writing the canonical form");
	}
	return KITH_OK;
}

/* ---------------------------------------------------------------- public: the text check */

/*
 * kith_record_text_ok reads a body's JSON text once, without building a
 * tree, and answers only "surely valid": json_loadb(JSON_REJECT_DUPLICATES)
 * would give an object that kith_record_validate accepts. It follows the
 * same tables as the validator above. Whatever it does not vouch for — any
 * whitespace, an escape other than \" \\ \/ \n \t, a real number, a key it
 * does not know, a field that breaks a rule, a group rule other than
 * person's and family's — is "not sure", and the caller asks jansson and
 * kith_record_validate, which say what is wrong. It therefore never needs
 * to explain, only to be right when it says yes: test_record_record and
 * fuzz_record_text check that every text it accepts, the other two accept.
 */
struct tscan {
	const char *s;
	size_t n, i;
};

/* A scanned string: the raw content (escapes intact) and what the text rules need. */
struct tstr {
	const char *p;
	size_t raw;   /* bytes between the quotes */
	size_t len;   /* bytes once decoded */
	size_t chars; /* code points */
	int escapes;  /* any escape */
	int nl_tab;   /* an escaped newline or tab */
	int text;     /* a character other than space, tab and newline (has_text) */
};

#define T_SURE 0
#define T_UNSURE (-1)
#define T_ITEMS 128 /* items of a list of ids compared for repeats; more: not sure */

static int t_peek(const struct tscan *t)
{
	return t->i < t->n ? (unsigned char)t->s[t->i] : -1;
}

static int t_expect(struct tscan *t, char c)
{
	if (t->i >= t->n || t->s[t->i] != c)
		return T_UNSURE;
	t->i++;
	return T_SURE;
}

static int t_string(struct tscan *t, struct tstr *out)
{
	memset(out, 0, sizeof *out);
	if (t_expect(t, '"'))
		return T_UNSURE;
	const unsigned char *u = (const unsigned char *)t->s;
	size_t i = t->i, n = t->n, start = i, escapes = 0, cont = 0;
	int text = 0;
	for (;;) {
		int sp;
		if (n - i >= 8 && plain8(u + i, &sp)) { /* most bytes, eight at a time */
			text |= !sp;
			i += 8;
			continue;
		}
		if (i >= n)
			return T_UNSURE;
		unsigned c = u[i];
		if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
			text |= c != ' ';
			i++;
			continue;
		}
		if (c == '"')
			break;
		if (c == '\\') {
			if (i + 1 >= n)
				return T_UNSURE;
			unsigned e = u[i + 1];
			if (e == '"' || e == '\\' || e == '/')
				text = 1;
			else if (e == 'n' || e == 't')
				out->nl_tab = 1;
			else
				return T_UNSURE;
			escapes++;
			i += 2;
			continue;
		}
		if (c < 0x80)
			return T_UNSURE; /* a raw control character (jansson refuses it) or DEL */
		/* one UTF-8 sequence, checked as kith_utf8_check does; C1 controls refused */
		uint32_t cp;
		size_t len = utf8_seq(u + i, n - i, &cp);
		if (!len || cp <= 0x9F)
			return T_UNSURE;
		text = 1;
		cont += len - 1;
		i += len;
	}
	out->p = t->s + start;
	out->raw = i - start;
	out->escapes = escapes > 0;
	out->len = out->raw - escapes;
	out->chars = out->raw - escapes - cont;
	out->text = text;
	t->i = i + 1; /* past the closing quote */
	return T_SURE;
}

/* An integer as jansson reads one: no leading zero, at most 18 digits (no
 * overflow), not followed by a fraction or an exponent (a real). */
static int t_int(struct tscan *t, long long *out)
{
	int neg = t_peek(t) == '-';
	if (neg)
		t->i++;
	size_t start = t->i;
	long long v = 0;
	while (t->i < t->n && t->s[t->i] >= '0' && t->s[t->i] <= '9') {
		if (t->i - start >= 18)
			return T_UNSURE;
		v = v * 10 + (t->s[t->i] - '0');
		t->i++;
	}
	size_t digits = t->i - start;
	if (digits == 0 || (digits > 1 && t->s[start] == '0'))
		return T_UNSURE;
	int c = t_peek(t);
	if (c == '.' || c == 'e' || c == 'E')
		return T_UNSURE;
	*out = neg ? -v : v;
	return T_SURE;
}

/* The text rules of check_chars on a scanned string. */
static int t_text_ok(const struct tstr *s, size_t cap, int multiline)
{
	if (s->len == 0 || s->len > 4 * cap || s->chars > cap || (s->nl_tab && !multiline))
		return T_UNSURE;
	return T_SURE;
}

static int t_group(const struct group *g, struct tscan *t);

/* One value of field f (for a list: one item). *text: a string with text;
 * *span: an id's raw bytes, for the repeat check. */
static int t_item(const struct field *f, enum ftype type, struct tscan *t, int *text, struct tstr *span)
{
	struct tstr s;
	long long iv;
	switch (type) {
	case T_STRING:
	case T_TEXT:
	case T_STRING_LIST:
		if (t_string(t, &s) || t_text_ok(&s, f->max_bytes, type == T_TEXT))
			return T_UNSURE;
		*text = s.text;
		return T_SURE;
	case T_REF:
		if (t_string(t, &s) || s.escapes || !ref_ok(s.p, s.raw))
			return T_UNSURE;
		*text = 1;
		return T_SURE;
	case T_DATE:
		if (t_string(t, &s) || s.escapes || kith_record_date_parse(s.p, s.raw, NULL, NULL, NULL) < 0)
			return T_UNSURE;
		return T_SURE;
	case T_ENUM:
	case T_ENUM_LIST:
		if (t_string(t, &s) || s.escapes || !vocab_find(f->vocab, s.p, s.raw))
			return T_UNSURE;
		*span = s;
		return T_SURE;
	case T_ID_LIST:
		if (t_string(t, &s) || s.escapes || !id_ok(s.p, s.raw))
			return T_UNSURE;
		*span = s;
		return T_SURE;
	case T_INT:
		if (t_int(t, &iv) || iv < f->min || iv > f->max)
			return T_UNSURE;
		return T_SURE;
	case T_NUMBER: /* an integer only; a real is jansson's to read */
		if (t_int(t, &iv) || !((double)iv >= f->dmin && (double)iv <= f->dmax))
			return T_UNSURE;
		return T_SURE;
	case T_BOOL:
		if (t->n - t->i >= 4 && memcmp(t->s + t->i, "true", 4) == 0) {
			t->i += 4;
			return T_SURE;
		}
		if (t->n - t->i >= 5 && memcmp(t->s + t->i, "false", 5) == 0) {
			t->i += 5;
			return T_SURE;
		}
		return T_UNSURE;
	case T_GROUP:
	case T_GROUP_LIST:
		return t_group(f->group, t);
	}
	return T_UNSURE;
}

static int t_list(const struct field *f, struct tscan *t, int *nonempty)
{
	struct tstr seen[T_ITEMS];
	enum ftype item = f->type == T_ENUM_LIST     ? T_ENUM_LIST
			  : f->type == T_STRING_LIST ? T_STRING_LIST
			  : f->type == T_ID_LIST     ? T_ID_LIST
						     : T_GROUP_LIST;
	int distinct = f->type == T_ENUM_LIST || f->type == T_ID_LIST;
	if (t_expect(t, '['))
		return T_UNSURE;
	size_t n = 0;
	if (t_peek(t) != ']') {
		for (;;) {
			int text = 0;
			struct tstr span = {0};
			if (distinct && n >= T_ITEMS)
				return T_UNSURE;
			if (t_item(f, item, t, &text, &span))
				return T_UNSURE;
			if (distinct) {
				for (size_t j = 0; j < n; j++)
					if (seen[j].raw == span.raw &&
					    memcmp(seen[j].p, span.p, span.raw) == 0)
						return T_UNSURE;
				seen[n] = span;
			}
			n++;
			if (t_peek(t) == ',') {
				t->i++;
				continue;
			}
			break;
		}
	}
	if (t_expect(t, ']') || n < f->min_items || (f->max_items && n > f->max_items))
		return T_UNSURE;
	*nonempty = n > 0;
	return T_SURE;
}

static long t_field_index(const struct group *g, const char *name)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->f[i].name, name) == 0)
			return (long)i;
	return -1;
}

static int t_bit(const struct group *g, uint64_t mask, const char *name)
{
	long i = t_field_index(g, name);
	return i >= 0 && (mask >> i & 1);
}

static int t_group(const struct group *g, struct tscan *t)
{
	if (g->n > 64 || t_expect(t, '{'))
		return T_UNSURE;
	uint64_t seen = 0, text = 0;
	if (t_peek(t) != '}') {
		for (;;) {
			struct tstr k;
			if (t_string(t, &k) || k.escapes || t_expect(t, ':'))
				return T_UNSURE;
			size_t fi = 0;
			while (fi < g->n &&
			       !(strlen(g->f[fi].name) == k.raw && memcmp(g->f[fi].name, k.p, k.raw) == 0))
				fi++;
			if (fi == g->n || (seen >> fi & 1))
				return T_UNSURE; /* unknown or repeated */
			seen |= (uint64_t)1 << fi;
			const struct field *f = &g->f[fi];
			int has = 0;
			struct tstr span;
			int rc = f->type == T_ENUM_LIST || f->type == T_STRING_LIST ||
					 f->type == T_GROUP_LIST || f->type == T_ID_LIST
				     ? t_list(f, t, &has)
				     : t_item(f, f->type, t, &has, &span);
			if (rc)
				return T_UNSURE;
			if (has)
				text |= (uint64_t)1 << fi;
			if (t_peek(t) == ',') {
				t->i++;
				continue;
			}
			break;
		}
	}
	if (t_expect(t, '}'))
		return T_UNSURE;
	for (size_t i = 0; i < g->n; i++)
		if ((g->f[i].flags & F_REQUIRED) && !(seen >> i & 1))
			return T_UNSURE;
	if (!g->rule)
		return T_SURE;
	if (g->rule == rule_person) /* has_text(name) */
		return t_bit(g, text, "name") ? T_SURE : T_UNSURE;
	if (g->rule == rule_family) /* a case, or a described relative, or notes */
		return t_bit(g, seen, "case") || t_bit(g, seen, "name") || t_bit(g, seen, "other_names") ||
			       t_bit(g, seen, "sex") || t_bit(g, seen, "birth") || t_bit(g, seen, "notes")
			   ? T_SURE
			   : T_UNSURE;
	return T_UNSURE; /* the tracing rules: jansson's tree */
}

int kith_record_text_ok(const char *kind, const char *text, size_t len)
{
	const struct kind *k = find_kind(kind);
	/* the compact dump of what jansson reads is never longer than this text
	 * (no whitespace, no real, escapes as jansson writes them or shorter),
	 * so a text within the cap is a record within the cap */
	if (!k || !text || len > KITH_RECORD_MAX_BYTES)
		return 0;
	struct tscan t = {text, len, 0};
	return t_group(k->group, &t) == T_SURE && t.i == len;
}

size_t kith_record_text_ok_prefix(const char *kind, const char *text, size_t len)
{
	const struct kind *k = find_kind(kind);
	if (!k || !text)
		return 0;
	struct tscan t = {text, len, 0};
	if (t_group(k->group, &t) != T_SURE || t.i > KITH_RECORD_MAX_BYTES)
		return 0;
	return t.i;
}

int kith_record_kind_valid(const char *kind)
{
	return find_kind(kind) != NULL;
}

int kith_record_kind_has_ref(const char *kind)
{
	const struct kind *k = find_kind(kind);
	return k ? k->has_ref : 0;
}

const char *kith_record_ref(const json_t *body)
{
	return json_string_value(json_object_get(body, "ref"));
}

int kith_record_set_ref(json_t *body, const char *ref)
{
	if (!json_is_object(body) || !kith_record_ref_valid(ref))
		return KITH_E_INVALID;
	json_t *s = json_string(ref);
	if (!s)
		return KITH_E_NOMEM;
	if (json_object_set_new(body, "ref", s) != 0)
		return KITH_E_NOMEM; /* s was released by jansson */
	return KITH_OK;
}

size_t kith_record_case_names(const json_t *body, const char **names, size_t max)
{
	size_t n = 0;
	const json_t *person = json_object_get(body, "person");
	const char *name = json_string_value(json_object_get(person, "name"));
	if (name && n < max)
		names[n++] = name;
	const json_t *others = json_object_get(person, "other_names");
	for (size_t i = 0; i < json_array_size(others) && n < max; i++) {
		const char *s = json_string_value(json_array_get(others, i));
		if (s)
			names[n++] = s;
	}
	return n;
}

int kith_record_consent_allows(const json_t *case_body, const char *use)
{
	if (!use)
		return 0;
	if (strcmp(use, "services") && strcmp(use, "reporting") && strcmp(use, "tracing") &&
	    strcmp(use, "sharing"))
		return 0;
	return json_is_true(json_object_get(json_object_get(case_body, "consent"), use)) ? 1 : 0;
}

/* ---------------------------------------------------------------- vocabulary look-up */

static const struct vocab *find_vocab(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < N_OF(all_vocabs); i++)
		if (strcmp(all_vocabs[i]->name, name) == 0)
			return all_vocabs[i];
	return NULL;
}

#define FOLD_MAX 256

/* Folds s for loose comparison: case folded, marks stripped, NFC, and the
 * characters " -_.'’" dropped. Returns KITH_OK, KITH_E_NOTFOUND (too long or
 * not valid UTF-8: it cannot match) or KITH_E_NOMEM. */
static int fold(const char *s, size_t len, char out[FOLD_MAX])
{
	if (len >= FOLD_MAX || kith_utf8_check(s, len) != len)
		return KITH_E_NOTFOUND;
	utf8proc_uint8_t *m = NULL;
	utf8proc_ssize_t n =
	    utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &m,
			 UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD);
	if (n < 0) {
		/* utf8proc allocates with malloc; free() is its documented release */
		free(m);
		return n == UTF8PROC_ERROR_NOMEM ? KITH_E_NOMEM : KITH_E_NOTFOUND;
	}
	size_t o = 0;
	for (utf8proc_ssize_t i = 0; i < n; i++) {
		unsigned char c = m[i];
		if (c == ' ' || c == '-' || c == '_' || c == '.' || c == '\'')
			continue;
		if (c == 0xE2 && i + 2 < n && m[i + 1] == 0x80 && (m[i + 2] == 0x98 || m[i + 2] == 0x99)) {
			i += 2; /* ‘ ’ */
			continue;
		}
		if (o + 1 >= FOLD_MAX) {
			free(m);
			return KITH_E_NOTFOUND;
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	free(m);
	return KITH_OK;
}

static int fold_eq(const char *want, const char *cand, size_t cand_len, int *rc)
{
	char f[FOLD_MAX];
	int r = fold(cand, cand_len, f);
	if (r == KITH_E_NOMEM)
		*rc = r;
	return r == KITH_OK && strcmp(want, f) == 0;
}

int kith_record_vocab_lookup(const char *vocab, const char *text, const char **id)
{
	const struct vocab *vc = find_vocab(vocab);
	if (!vc || !text)
		return KITH_E_NOTFOUND;
	size_t len = strlen(text);
	const struct vocab_item *it = vocab_find(vc, text, len);
	if (it) {
		*id = it->id;
		return KITH_OK;
	}
	char want[FOLD_MAX];
	int rc = fold(text, len, want);
	if (rc)
		return rc;
	if (!want[0])
		return KITH_E_NOTFOUND;
	for (size_t i = 0; i < vc->n; i++) {
		it = &vc->items[i];
		rc = KITH_OK;
		int hit = fold_eq(want, it->id, strlen(it->id), &rc) ||
			  fold_eq(want, it->en, strlen(it->en), &rc) ||
			  fold_eq(want, it->ko, strlen(it->ko), &rc);
		for (const char *a = it->aliases; !hit && a && *a;) {
			const char *bar = strchr(a, '|');
			size_t alen = bar ? (size_t)(bar - a) : strlen(a);
			hit = fold_eq(want, a, alen, &rc);
			a = bar ? bar + 1 : NULL;
		}
		if (rc)
			return rc;
		if (hit) {
			*id = it->id;
			return KITH_OK;
		}
	}
	return KITH_E_NOTFOUND;
}

const char *kith_record_vocab_label(const char *vocab, const char *id, const char *lang)
{
	const struct vocab *vc = find_vocab(vocab);
	if (!vc || !id || !lang)
		return NULL;
	const struct vocab_item *it = vocab_find(vc, id, strlen(id));
	if (!it)
		return NULL;
	if (strcmp(lang, "en") == 0)
		return it->en;
	if (strcmp(lang, "ko") == 0)
		return it->ko;
	return NULL;
}

/* ---------------------------------------------------------------- schema JSON */

/* Builder that remembers the first failure, so the code reads as a description. */
struct jb {
	int ok;
};

static json_t *jb_chk(struct jb *b, json_t *v)
{
	if (!v)
		b->ok = 0;
	return v;
}

static void jb_set(struct jb *b, json_t *obj, const char *key, json_t *v)
{
	/* json_object_set_new releases v even when it fails (also when obj is
	 * NULL), and fails on a NULL v */
	if (json_object_set_new(obj, key, v) != 0)
		b->ok = 0;
}

static void jb_push(struct jb *b, json_t *arr, json_t *v)
{
	if (json_array_append_new(arr, v) != 0) /* releases v on failure */
		b->ok = 0;
}

static json_t *label_json(struct jb *b, const char *en, const char *ko)
{
	json_t *o = jb_chk(b, json_object());
	jb_set(b, o, "en", json_string(en));
	jb_set(b, o, "ko", json_string(ko));
	return o;
}

static json_t *vocab_json(struct jb *b, const struct vocab *vc)
{
	json_t *arr = jb_chk(b, json_array());
	for (size_t i = 0; i < vc->n; i++) {
		json_t *o = jb_chk(b, json_object());
		jb_set(b, o, "id", json_string(vc->items[i].id));
		jb_set(b, o, "en", json_string(vc->items[i].en));
		jb_set(b, o, "ko", json_string(vc->items[i].ko));
		jb_push(b, arr, o);
	}
	return arr;
}

static json_t *fields_json(struct jb *b, const struct group *g, int depth);

static json_t *field_json(struct jb *b, const struct field *f, int depth)
{
	json_t *o = jb_chk(b, json_object());
	jb_set(b, o, "name", json_string(f->name));
	jb_set(b, o, "type", json_string(type_names[f->type]));
	jb_set(b, o, "label", label_json(b, f->en, f->ko));
	jb_set(b, o, "required", json_boolean(f->flags & F_REQUIRED));
	switch (f->type) {
	case T_STRING:
	case T_TEXT:
	case T_STRING_LIST:
	case T_REF:
		jb_set(b, o, "max_bytes", json_integer((json_int_t)f->max_bytes));
		break;
	case T_DATE:
		jb_set(b, o, "precision", json_pack("[sss]", "year", "month", "day"));
		break;
	case T_INT:
		jb_set(b, o, "min", json_integer(f->min));
		jb_set(b, o, "max", json_integer(f->max));
		break;
	case T_NUMBER:
		jb_set(b, o, "min", json_real(f->dmin));
		jb_set(b, o, "max", json_real(f->dmax));
		break;
	case T_ENUM:
	case T_ENUM_LIST:
		jb_set(b, o, "vocabulary", json_string(f->vocab->name));
		jb_set(b, o, "values", vocab_json(b, f->vocab));
		break;
	case T_GROUP:
	case T_GROUP_LIST:
		if (depth < 8)
			jb_set(b, o, "fields", fields_json(b, f->group, depth + 1));
		break;
	case T_BOOL:
	case T_ID_LIST:
		break;
	}
	if (f->type == T_STRING_LIST || f->type == T_ENUM_LIST || f->type == T_GROUP_LIST ||
	    f->type == T_ID_LIST) {
		jb_set(b, o, "min_items", json_integer((json_int_t)f->min_items));
		jb_set(b, o, "max_items", json_integer((json_int_t)f->max_items));
	}
	return o;
}

static json_t *fields_json(struct jb *b, const struct group *g, int depth)
{
	json_t *arr = jb_chk(b, json_array());
	for (size_t i = 0; i < g->n; i++)
		jb_push(b, arr, field_json(b, &g->f[i], depth));
	return arr;
}

static const char *rule_text(const struct group *g)
{
	if (g == &g_family)
		return "a family member is another case (`case`) or a described relative (name, "
		       "other_names, sex, birth or notes), or both once tracing found their case";
	if (g == &g_seeker)
		return "the person seeking is either a case (`case`) or a described person with a name, "
		       "never both";
	if (g == &g_sought)
		return "the person sought needs a name, or a birth date or age together with sex and "
		       "separation.place";
	return NULL;
}

static void rules_json(struct jb *b, json_t *arr, const struct group *g, const char *prefix, int depth)
{
	const char *t = rule_text(g);
	if (t) {
		json_t *o = jb_chk(b, json_object());
		jb_set(b, o, "path", json_string(prefix));
		jb_set(b, o, "rule", json_string(t));
		jb_push(b, arr, o);
	}
	for (size_t i = 0; i < g->n && depth < 8; i++) {
		const struct field *f = &g->f[i];
		if (f->type != T_GROUP && f->type != T_GROUP_LIST)
			continue;
		char sub[128];
		snprintf(sub, sizeof sub, "%s%s%s%s", prefix, *prefix ? "." : "", f->name,
			 f->type == T_GROUP_LIST ? "[]" : "");
		rules_json(b, arr, f->group, sub, depth + 1);
	}
}

json_t *kith_record_schema_json(void)
{
	struct jb b = {1};
	json_t *root = jb_chk(&b, json_object());
	jb_set(&b, root, "version", json_integer(1));
	jb_set(&b, root, "max_bytes", json_integer(KITH_RECORD_MAX_BYTES));
	json_t *dates = jb_chk(&b, json_object());
	jb_set(&b, dates, "forms", json_pack("[sss]", "YYYY", "YYYY-MM", "YYYY-MM-DD"));
	jb_set(&b, dates, "min_year", json_integer(KITH_RECORD_YEAR_MIN));
	jb_set(&b, dates, "max_year", json_integer(KITH_RECORD_YEAR_MAX));
	jb_set(&b, root, "dates", dates);
	json_t *karr = jb_chk(&b, json_array());
	for (size_t i = 0; i < N_OF(kinds); i++) {
		json_t *k = jb_chk(&b, json_object());
		jb_set(&b, k, "kind", json_string(kinds[i].name));
		jb_set(&b, k, "label", label_json(&b, kinds[i].en, kinds[i].ko));
		jb_set(&b, k, "has_ref", json_boolean(kinds[i].has_ref));
		jb_set(&b, k, "fields", fields_json(&b, kinds[i].group, 0));
		json_t *rules = jb_chk(&b, json_array());
		rules_json(&b, rules, kinds[i].group, "", 0);
		jb_set(&b, k, "rules", rules);
		jb_push(&b, karr, k);
	}
	jb_set(&b, root, "kinds", karr);
	json_t *vocabs = jb_chk(&b, json_object());
	for (size_t i = 0; i < N_OF(all_vocabs); i++)
		jb_set(&b, vocabs, all_vocabs[i]->name, vocab_json(&b, all_vocabs[i]));
	jb_set(&b, root, "vocabularies", vocabs);
	if (!b.ok) {
		json_decref(root);
		return NULL;
	}
	return root;
}
