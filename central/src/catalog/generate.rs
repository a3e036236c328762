//! A deterministic generator of large, realistic Vietnamese procedure catalogs, for benchmarks and
//! scale tests (`motcua-central gen-catalog --count 10000 --seed 7`).
//!
//! Records are assembled from administrative vocabulary (fields, agencies, actions, objects,
//! qualifiers, legal documents) so names, search keywords and record sizes look like the national
//! catalog. The randomness comes from a SplitMix64 written here rather than the `rand` crate, so a
//! given `(count, seed)` produces byte-for-byte the same catalog on every platform and forever.
//! Record `i` depends only on the seed and records `0..i`, so a larger catalog extends a smaller one.
//!
//! All text literals are precomposed (NFC).

use std::collections::{HashMap, HashSet};

use motcua_protocol::{
    AmountVnd, CatalogFile, Fee, OnlineLevel, Procedure, ProcedureCode, RequiredDocument,
};
use serde_json::Value;

/// Codes are `1.dddddd` or `2.dddddd`: two million of them.
const CODE_SPACE: u64 = 2_000_000;
/// Odd and not a multiple of 5, hence coprime with `CODE_SPACE`: `i ↦ i·STRIDE + offset` is a
/// bijection on the code space, so codes never collide yet look scattered.
const STRIDE: u64 = 738_917;

/// `count` distinct procedures; the same (count, seed) always gives the same catalog.
///
/// Panics if `count` exceeds the two million codes of the `d.dddddd` format (only `1.` and `2.`
/// prefixes are used).
pub fn generate(count: usize, seed: u64) -> CatalogFile {
    assert!(
        count as u64 <= CODE_SPACE,
        "cannot generate {count} procedures: only {CODE_SPACE} distinct codes are available"
    );
    let offset = Rng::new(seed ^ 0x6D6F_7463_7561_2D63).next_u64() % CODE_SPACE;
    let mut names = NameRegistry::default();
    let procedures = (0..count)
        .map(|index| {
            let slot = (index as u64 * STRIDE + offset) % CODE_SPACE;
            let code = format!("{}.{:06}", 1 + slot / 1_000_000, slot % 1_000_000);
            let mut rng = Rng::new(mix(seed).wrapping_add(index as u64));
            procedure(&mut rng, &code, &mut names)
        })
        .collect();
    CatalogFile::new(procedures)
}

// ---------------------------------------------------------------------------------------------
// Randomness

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough for test data.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n`; `n` must be positive.
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn percent(&mut self, p: u32) -> bool {
        self.below(100) < p as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// `n` distinct items (at most all of them), in random order.
    fn sample<'a, T>(&mut self, items: &'a [T], n: usize) -> Vec<&'a T> {
        let mut order: Vec<usize> = (0..items.len()).collect();
        let n = n.min(items.len());
        for i in 0..n {
            let j = i + self.below(order.len() - i);
            order.swap(i, j);
        }
        order[..n].iter().map(|&i| &items[i]).collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

/// What sort of thing a procedure acts on; decides which actions read naturally with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A paper the state issues: giấy phép, giấy chứng nhận, chứng chỉ, thẻ.
    Permit,
    /// Something recorded in a register: khai sinh, thường trú, thế chấp.
    Register,
    /// A benefit paid or granted: trợ cấp, hỗ trợ, chế độ.
    Benefit,
    /// A plan or design reviewed: báo cáo, thiết kế, phương án.
    Approval,
    /// A title or standard conferred: hộ nghèo, làng nghề, trường chuẩn.
    Recognition,
    /// Something the applicant informs the state of: lễ hội, khuyến mại.
    Notice,
    /// Chứng thực.
    Certify,
    /// A request decided case by case: chuyển mục đích sử dụng đất, hoàn thuế.
    Case,
    /// A dispute or complaint: tranh chấp đất đai.
    Dispute,
    /// Information handed out: trích lục, bản sao, dữ liệu.
    Provide,
}

struct Action {
    text: &'static str,
    weight: u32,
    /// Qualifiers that only make sense with this action.
    quals: &'static [&'static str],
}

const fn a(text: &'static str, weight: u32, quals: &'static [&'static str]) -> Action {
    Action {
        text,
        weight,
        quals,
    }
}

static PERMIT_ACTIONS: &[Action] = &[
    a("Cấp", 6, &["lần đầu"]),
    a(
        "Cấp lại",
        3,
        &[
            "trong trường hợp bị mất, hỏng",
            "do sai sót thông tin",
            "do bị thu hồi",
        ],
    ),
    a(
        "Cấp đổi",
        2,
        &[
            "do thay đổi thông tin",
            "khi hết thời hạn sử dụng",
            "do sắp xếp đơn vị hành chính",
        ],
    ),
    a("Gia hạn", 2, &["trước khi hết hạn"]),
    a("Điều chỉnh", 2, &["do thay đổi nội dung"]),
    a(
        "Thu hồi",
        1,
        &[
            "theo đề nghị của người được cấp",
            "do vi phạm điều kiện cấp phép",
        ],
    ),
];

static REGISTER_ACTIONS: &[Action] = &[
    a("Đăng ký", 6, &["lần đầu", "đúng hạn", "quá hạn"]),
    a("Đăng ký lại", 2, &["do thông tin đã đăng ký bị mất"]),
    a("Đăng ký thay đổi", 2, &["do thay đổi thông tin"]),
    a("Xác nhận", 1, &[]),
    a("Xóa đăng ký", 1, &["theo đề nghị của người yêu cầu"]),
];

static BENEFIT_ACTIONS: &[Action] = &[
    a("Giải quyết", 6, &["lần đầu"]),
    a("Điều chỉnh", 2, &["do thay đổi mức hưởng"]),
    a("Chuyển nơi hưởng", 1, &["khi thay đổi nơi cư trú"]),
    a("Thôi hưởng", 1, &[]),
    a("Tạm dừng", 1, &[]),
    a("Chấm dứt", 1, &[]),
    a("Xác nhận", 1, &[]),
];

static APPROVAL_ACTIONS: &[Action] = &[
    a("Thẩm định", 4, &[]),
    a("Phê duyệt", 3, &[]),
    a("Thẩm định, phê duyệt", 2, &[]),
    a("Điều chỉnh", 1, &["do thay đổi nội dung"]),
    a("Chấp thuận", 1, &[]),
];

static RECOGNITION_ACTIONS: &[Action] = &[
    a("Công nhận", 5, &["lần đầu"]),
    a("Công nhận lại", 2, &["sau thời hạn 05 năm"]),
    a("Thu hồi quyết định công nhận", 1, &[]),
];

static NOTICE_ACTIONS: &[Action] = &[
    a("Thông báo", 5, &[]),
    a("Thông báo thay đổi", 2, &[]),
    a("Thông báo chấm dứt", 1, &[]),
];

static CERTIFY_ACTIONS: &[Action] = &[
    a("Chứng thực", 6, &[]),
    a("Sửa lỗi sai sót trong", 1, &[]),
    a("Chứng thực việc sửa đổi, bổ sung, hủy bỏ", 1, &[]),
];

static CASE_ACTIONS: &[Action] = &[
    a("Giải quyết", 5, &["lần đầu"]),
    a("Tiếp nhận, giải quyết", 2, &[]),
    a("Thẩm định hồ sơ", 1, &[]),
];

static DISPUTE_ACTIONS: &[Action] = &[
    a("Giải quyết", 5, &["lần đầu", "lần hai"]),
    a("Hòa giải", 2, &[]),
    a("Tiếp nhận, xử lý", 1, &[]),
];

static PROVIDE_ACTIONS: &[Action] = &[a("Cung cấp", 4, &[]), a("Cấp bản sao", 2, &[])];

impl Kind {
    fn actions(self) -> &'static [Action] {
        match self {
            Kind::Permit => PERMIT_ACTIONS,
            Kind::Register => REGISTER_ACTIONS,
            Kind::Benefit => BENEFIT_ACTIONS,
            Kind::Approval => APPROVAL_ACTIONS,
            Kind::Recognition => RECOGNITION_ACTIONS,
            Kind::Notice => NOTICE_ACTIONS,
            Kind::Certify => CERTIFY_ACTIONS,
            Kind::Case => CASE_ACTIONS,
            Kind::Dispute => DISPUTE_ACTIONS,
            Kind::Provide => PROVIDE_ACTIONS,
        }
    }

    /// Candidate processing times, in working days.
    fn days(self) -> &'static [u32] {
        match self {
            Kind::Certify => &[1, 1, 1, 2, 3],
            Kind::Register => &[1, 2, 3, 5, 5, 7, 10],
            Kind::Permit => &[3, 5, 7, 10, 10, 15, 20],
            Kind::Approval => &[15, 20, 25, 30, 45],
            Kind::Recognition => &[10, 15, 20, 30],
            Kind::Notice => &[1, 3, 5],
            Kind::Case => &[5, 10, 15, 20, 30],
            Kind::Dispute => &[30, 45, 60],
            Kind::Benefit => &[5, 7, 10, 15, 20],
            Kind::Provide => &[1, 2, 3, 5],
        }
    }
}

struct Obj {
    text: &'static str,
    kind: Kind,
    /// The result paper; empty means "derive it from the kind".
    result: &'static str,
    /// Everyday phrasings people type to find it.
    keywords: &'static [&'static str],
    /// Actions peculiar to this object, on top of the kind's.
    extra_actions: &'static [&'static str],
}

const fn o(
    text: &'static str,
    kind: Kind,
    result: &'static str,
    keywords: &'static [&'static str],
) -> Obj {
    Obj {
        text,
        kind,
        result,
        keywords,
        extra_actions: &[],
    }
}

const fn ox(
    text: &'static str,
    kind: Kind,
    result: &'static str,
    keywords: &'static [&'static str],
    extra_actions: &'static [&'static str],
) -> Obj {
    Obj {
        text,
        kind,
        result,
        keywords,
        extra_actions,
    }
}

struct Field {
    name: &'static str,
    /// Relative frequency in the catalog.
    weight: u32,
    province_agencies: &'static [&'static str],
    commune_agencies: &'static [&'static str],
    /// Percentage of this field's procedures done at commune level.
    commune_share: u32,
    objects: &'static [Obj],
    /// Field-specific qualifiers appended to names.
    quals: &'static [&'static str],
    /// At least two.
    laws: &'static [&'static str],
    docs: &'static [&'static str],
    requirements: &'static [&'static str],
}

use Kind::*;

static FIELDS: &[Field] = &[
    Field {
        name: "Đất đai",
        weight: 10,
        province_agencies: &["Văn phòng đăng ký đất đai", "Sở Nông nghiệp và Môi trường"],
        commune_agencies: &[
            "Ủy ban nhân dân cấp xã",
            "Chi nhánh Văn phòng đăng ký đất đai",
        ],
        commune_share: 50,
        objects: &[
            o(
                "giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất",
                Permit,
                "",
                &["làm sổ đỏ", "cấp sổ hồng", "xin sổ đỏ"],
            ),
            o(
                "biến động quyền sử dụng đất",
                Register,
                "Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất đã được xác nhận biến động",
                &["sang tên sổ đỏ", "đăng ký biến động đất"],
            ),
            o(
                "hợp đồng chuyển nhượng quyền sử dụng đất",
                Register,
                "Giấy chứng nhận quyền sử dụng đất đã được chỉnh lý sang tên bên nhận chuyển nhượng",
                &["mua bán đất", "sang tên đất"],
            ),
            o(
                "đất đai, tài sản gắn liền với đất",
                Register,
                "Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
                &["kê khai đăng ký đất", "đăng ký đất lần đầu"],
            ),
            o(
                "thế chấp quyền sử dụng đất, tài sản gắn liền với đất",
                Register,
                "Văn bản chứng nhận đăng ký thế chấp",
                &[
                    "thế chấp sổ đỏ",
                    "vay ngân hàng bằng sổ đỏ",
                    "giải chấp sổ đỏ",
                ],
            ),
            o(
                "tách thửa hoặc hợp thửa đất",
                Case,
                "Giấy chứng nhận quyền sử dụng đất cho thửa đất mới",
                &["tách sổ đỏ", "chia đất", "tách thửa"],
            ),
            o(
                "chuyển mục đích sử dụng đất",
                Case,
                "Quyết định cho phép chuyển mục đích sử dụng đất",
                &["chuyển đất vườn lên thổ cư", "lên thổ cư"],
            ),
            o(
                "tranh chấp đất đai",
                Dispute,
                "Quyết định giải quyết tranh chấp đất đai",
                &["kiện tranh chấp đất", "tranh chấp ranh giới đất"],
            ),
            o(
                "thông tin, dữ liệu đất đai",
                Provide,
                "Văn bản cung cấp thông tin, dữ liệu đất đai",
                &["xin trích lục bản đồ", "tra cứu thông tin thửa đất"],
            ),
        ],
        quals: &[
            "do chuyển nhượng, tặng cho, thừa kế",
            "khi tách thửa, hợp thửa",
            "đối với đất nông nghiệp",
            "đối với đất ở có vườn, ao",
        ],
        laws: &[
            "Luật Đất đai số 31/2024/QH15",
            "Nghị định số 101/2024/NĐ-CP",
            "Nghị định số 102/2024/NĐ-CP",
            "Nghị định số 151/2025/NĐ-CP",
        ],
        docs: &[
            "Giấy chứng nhận đã cấp (bản gốc)",
            "Mảnh trích đo bản đồ địa chính thửa đất",
            "Hợp đồng, văn bản về việc chuyển quyền sử dụng đất đã được công chứng hoặc chứng thực",
            "Bản sao chứng từ thực hiện nghĩa vụ tài chính về đất đai",
        ],
        requirements: &[
            "Thửa đất không có tranh chấp, không bị kê biên để bảo đảm thi hành án.",
            "Đất đang trong thời hạn sử dụng đất.",
            "Việc sử dụng đất phù hợp với quy hoạch sử dụng đất đã được phê duyệt.",
        ],
    },
    Field {
        name: "Xây dựng",
        weight: 6,
        province_agencies: &["Sở Xây dựng", "Ban Quản lý các khu công nghiệp tỉnh"],
        commune_agencies: &["Ủy ban nhân dân cấp xã"],
        commune_share: 45,
        objects: &[
            o(
                "giấy phép xây dựng nhà ở riêng lẻ",
                Permit,
                "",
                &["xin giấy phép xây nhà", "xin phép xây nhà"],
            ),
            o(
                "giấy phép sửa chữa, cải tạo công trình",
                Permit,
                "",
                &["xin phép sửa nhà", "cải tạo nhà"],
            ),
            o(
                "giấy phép di dời công trình",
                Permit,
                "",
                &["di dời nhà", "xin phép di dời công trình"],
            ),
            o(
                "giấy phép xây dựng công trình có thời hạn",
                Permit,
                "",
                &["xây nhà tạm", "giấy phép xây dựng tạm"],
            ),
            o(
                "chứng chỉ hành nghề hoạt động xây dựng",
                Permit,
                "",
                &["chứng chỉ hành nghề xây dựng", "chứng chỉ kỹ sư xây dựng"],
            ),
            o(
                "chứng chỉ năng lực hoạt động xây dựng",
                Permit,
                "",
                &["chứng chỉ năng lực công ty xây dựng"],
            ),
            o(
                "báo cáo nghiên cứu khả thi đầu tư xây dựng",
                Approval,
                "",
                &["thẩm định dự án xây dựng"],
            ),
            o(
                "thiết kế xây dựng triển khai sau thiết kế cơ sở",
                Approval,
                "",
                &["thẩm định thiết kế", "thẩm định bản vẽ thi công"],
            ),
            o(
                "mua, thuê mua nhà ở xã hội",
                Register,
                "Văn bản xác nhận đủ điều kiện mua, thuê mua nhà ở xã hội",
                &["mua nhà ở xã hội", "nhà ở xã hội"],
            ),
        ],
        quals: &[
            "đối với công trình cấp III, cấp IV",
            "trong khu vực đã có quy hoạch chi tiết",
            "tại khu vực nông thôn",
            "trong đô thị",
        ],
        laws: &[
            "Luật Xây dựng số 50/2014/QH13",
            "Luật số 62/2020/QH14 sửa đổi, bổ sung một số điều của Luật Xây dựng",
            "Nghị định số 175/2024/NĐ-CP",
            "Luật Nhà ở số 27/2023/QH15",
            "Nghị định số 100/2024/NĐ-CP",
        ],
        docs: &[
            "Bản vẽ thiết kế xây dựng gồm mặt bằng, mặt cắt, mặt đứng công trình",
            "Bản sao giấy tờ chứng minh quyền sử dụng đất",
            "Bản cam kết bảo đảm an toàn đối với công trình liền kề",
            "Ảnh chụp hiện trạng công trình đề nghị sửa chữa, cải tạo",
        ],
        requirements: &[
            "Công trình phù hợp với quy hoạch chi tiết xây dựng đã được phê duyệt.",
            "Bảo đảm an toàn cho công trình, công trình lân cận và yêu cầu về bảo vệ môi trường, phòng, chống cháy nổ.",
            "Thiết kế xây dựng do tổ chức, cá nhân có đủ điều kiện năng lực thực hiện.",
        ],
    },
    Field {
        name: "Giao thông vận tải",
        weight: 5,
        province_agencies: &["Sở Xây dựng", "Phòng Cảnh sát giao thông Công an tỉnh"],
        commune_agencies: &["Công an cấp xã", "Ủy ban nhân dân cấp xã"],
        commune_share: 15,
        objects: &[
            ox(
                "giấy phép lái xe",
                Permit,
                "",
                &["làm bằng lái xe", "đổi bằng lái", "bằng lái xe máy"],
                &["Đổi", "Chuyển đổi"],
            ),
            o(
                "đăng ký xe máy chuyên dùng",
                Permit,
                "Giấy chứng nhận đăng ký xe máy chuyên dùng kèm biển số",
                &["đăng ký máy xúc", "biển số xe máy chuyên dùng"],
            ),
            o(
                "giấy phép lái xe quốc tế",
                Permit,
                "",
                &["bằng lái quốc tế", "IDP"],
            ),
            o(
                "giấy phép kinh doanh vận tải bằng xe ô tô",
                Permit,
                "",
                &["giấy phép kinh doanh vận tải", "mở nhà xe"],
            ),
            o(
                "phù hiệu xe ô tô kinh doanh vận tải",
                Permit,
                "",
                &["phù hiệu xe tải", "phù hiệu taxi"],
            ),
            o(
                "giấy phép thi công công trình trên đường bộ đang khai thác",
                Permit,
                "",
                &["xin phép đào đường", "thi công trên đường"],
            ),
            o(
                "xe mô tô, xe gắn máy",
                Register,
                "Giấy chứng nhận đăng ký xe và biển số xe",
                &["đăng ký xe máy", "làm cà vẹt xe", "bấm biển số"],
            ),
            o(
                "giấy chứng nhận đăng ký phương tiện thủy nội địa",
                Permit,
                "",
                &["đăng ký thuyền", "đăng ký ghe"],
            ),
        ],
        quals: &[
            "hạng A1, A",
            "hạng B, C1",
            "do nước ngoài cấp",
            "cho người nước ngoài cư trú tại Việt Nam",
        ],
        laws: &[
            "Luật Trật tự, an toàn giao thông đường bộ số 36/2024/QH15",
            "Luật Đường bộ số 35/2024/QH15",
            "Thông tư số 12/2025/TT-BCA",
            "Nghị định số 158/2024/NĐ-CP",
            "Luật Giao thông đường thủy nội địa số 23/2004/QH11",
        ],
        docs: &[
            "Giấy khám sức khỏe của người lái xe do cơ sở y tế có thẩm quyền cấp",
            "Bản sao giấy phép lái xe đã được cấp",
            "Giấy tờ về nguồn gốc phương tiện",
            "Chứng từ nộp lệ phí trước bạ",
        ],
        requirements: &[
            "Người đề nghị đủ tuổi, sức khỏe theo quy định.",
            "Phương tiện có giấy tờ chứng minh nguồn gốc hợp pháp.",
            "Đơn vị kinh doanh vận tải đáp ứng đủ điều kiện kinh doanh theo quy định.",
        ],
    },
    Field {
        name: "Hộ tịch",
        weight: 10,
        province_agencies: &["Sở Tư pháp"],
        commune_agencies: &["Ủy ban nhân dân cấp xã"],
        commune_share: 80,
        objects: &[
            o(
                "khai sinh",
                Register,
                "Giấy khai sinh bản chính và bản sao Giấy khai sinh",
                &["làm giấy khai sinh", "khai sinh cho con"],
            ),
            o(
                "kết hôn",
                Register,
                "Giấy chứng nhận kết hôn",
                &["đăng ký kết hôn", "làm giấy đăng ký kết hôn"],
            ),
            o(
                "khai tử",
                Register,
                "Trích lục khai tử",
                &["báo tử", "làm giấy chứng tử"],
            ),
            o(
                "nhận cha, mẹ, con",
                Register,
                "Trích lục đăng ký nhận cha, mẹ, con",
                &["nhận con", "làm giấy nhận cha cho con"],
            ),
            o(
                "giám hộ",
                Register,
                "Trích lục đăng ký giám hộ",
                &["đăng ký người giám hộ"],
            ),
            o(
                "thay đổi, cải chính, bổ sung thông tin hộ tịch",
                Register,
                "Trích lục thay đổi, cải chính, bổ sung thông tin hộ tịch",
                &[
                    "đổi tên",
                    "sửa ngày sinh trong giấy khai sinh",
                    "cải chính hộ tịch",
                ],
            ),
            o(
                "giấy xác nhận tình trạng hôn nhân",
                Permit,
                "",
                &[
                    "xin giấy xác nhận độc thân",
                    "giấy xác nhận tình trạng hôn nhân",
                ],
            ),
            o(
                "trích lục hộ tịch",
                Provide,
                "Bản sao trích lục hộ tịch",
                &["xin bản sao giấy khai sinh", "trích lục khai sinh"],
            ),
            o(
                "nuôi con nuôi",
                Register,
                "Giấy chứng nhận nuôi con nuôi",
                &["nhận con nuôi", "làm thủ tục con nuôi"],
            ),
        ],
        quals: &[
            "có yếu tố nước ngoài",
            "lưu động",
            "cho người đã có hồ sơ, giấy tờ cá nhân",
            "kết hợp nhận cha, mẹ, con",
            "đối với công dân Việt Nam cư trú ở khu vực biên giới",
        ],
        laws: &[
            "Luật Hộ tịch số 60/2014/QH13",
            "Nghị định số 123/2015/NĐ-CP",
            "Thông tư số 04/2020/TT-BTP",
            "Luật Hôn nhân và gia đình số 52/2014/QH13",
            "Luật Nuôi con nuôi số 52/2010/QH12",
        ],
        docs: &[
            "Giấy chứng sinh do cơ sở y tế cấp",
            "Giấy báo tử hoặc giấy tờ thay thế Giấy báo tử",
            "Văn bản ủy quyền được chứng thực (trường hợp ủy quyền thực hiện)",
            "Giấy tờ, tài liệu chứng minh quan hệ cha, mẹ, con",
            "Bản sao Trích lục hộ tịch đã cấp",
        ],
        requirements: &[
            "Người yêu cầu xuất trình giấy tờ tùy thân còn giá trị sử dụng.",
            "Việc đăng ký thuộc thẩm quyền của cơ quan đăng ký hộ tịch nơi cư trú.",
            "Các bên phải có mặt tại cơ quan đăng ký hộ tịch khi đăng ký.",
        ],
    },
    Field {
        name: "Chứng thực",
        weight: 5,
        province_agencies: &["Sở Tư pháp", "Tổ chức hành nghề công chứng"],
        commune_agencies: &["Ủy ban nhân dân cấp xã"],
        commune_share: 85,
        objects: &[
            o(
                "bản sao từ bản chính giấy tờ, văn bản",
                Certify,
                "Bản sao được chứng thực từ bản chính",
                &["công chứng giấy tờ", "sao y bản chính", "photo công chứng"],
            ),
            o(
                "chữ ký trong các giấy tờ, văn bản",
                Certify,
                "Giấy tờ, văn bản được chứng thực chữ ký",
                &["chứng thực chữ ký", "xác nhận chữ ký"],
            ),
            o(
                "hợp đồng, giao dịch liên quan đến tài sản là động sản",
                Certify,
                "Hợp đồng, giao dịch được chứng thực",
                &["chứng thực hợp đồng mua bán xe"],
            ),
            o(
                "hợp đồng chuyển nhượng quyền sử dụng đất",
                Certify,
                "Hợp đồng chuyển nhượng quyền sử dụng đất được chứng thực",
                &["công chứng hợp đồng mua bán đất", "chứng thực mua bán đất"],
            ),
            o(
                "văn bản thỏa thuận phân chia di sản",
                Certify,
                "Văn bản thỏa thuận phân chia di sản được chứng thực",
                &["chia thừa kế", "khai nhận di sản"],
            ),
            o(
                "di chúc",
                Certify,
                "Di chúc được chứng thực",
                &["làm di chúc", "chứng thực di chúc"],
            ),
            o(
                "chữ ký người dịch",
                Certify,
                "Bản dịch được chứng thực chữ ký người dịch",
                &["dịch công chứng", "chứng thực bản dịch"],
            ),
            o(
                "hợp đồng ủy quyền",
                Certify,
                "Hợp đồng ủy quyền được chứng thực",
                &["làm giấy ủy quyền", "ủy quyền"],
            ),
        ],
        quals: &[
            "bằng tiếng nước ngoài",
            "song ngữ",
            "ngoài trụ sở đối với người không thể đi lại được",
        ],
        laws: &[
            "Nghị định số 23/2015/NĐ-CP",
            "Thông tư số 01/2020/TT-BTP",
            "Thông tư số 226/2016/TT-BTC",
            "Luật Công chứng số 46/2024/QH15",
        ],
        docs: &[
            "Bản chính giấy tờ, văn bản làm cơ sở để chứng thực bản sao",
            "Dự thảo hợp đồng, giao dịch",
            "Bản sao giấy chứng nhận quyền sở hữu, quyền sử dụng tài sản",
            "Giấy tờ, văn bản mà người yêu cầu chứng thực sẽ ký",
        ],
        requirements: &[
            "Người yêu cầu chứng thực phải ký trước mặt người thực hiện chứng thực.",
            "Bản chính giấy tờ, văn bản không bị tẩy xóa, sửa chữa, thêm, bớt nội dung không hợp lệ.",
            "Người yêu cầu chứng thực chịu trách nhiệm về nội dung của giấy tờ, văn bản.",
        ],
    },
    Field {
        name: "Cư trú",
        weight: 6,
        province_agencies: &["Phòng Cảnh sát quản lý hành chính về trật tự xã hội Công an tỉnh"],
        commune_agencies: &["Công an cấp xã"],
        commune_share: 90,
        objects: &[
            o(
                "thường trú",
                Register,
                "Thông tin thường trú được cập nhật trong Cơ sở dữ liệu về cư trú",
                &["nhập hộ khẩu", "đăng ký hộ khẩu", "chuyển hộ khẩu"],
            ),
            o(
                "tạm trú",
                Register,
                "Thông tin tạm trú được cập nhật trong Cơ sở dữ liệu về cư trú",
                &["đăng ký tạm trú", "khai báo tạm trú", "làm tạm trú"],
            ),
            ox(
                "tạm vắng",
                Notice,
                "Thông tin tạm vắng được cập nhật trong Cơ sở dữ liệu về cư trú",
                &["khai báo tạm vắng", "báo tạm vắng"],
                &["Khai báo"],
            ),
            o(
                "lưu trú",
                Notice,
                "Thông tin lưu trú được cập nhật trong Cơ sở dữ liệu về cư trú",
                &["khai báo lưu trú", "báo lưu trú cho khách"],
            ),
            ox(
                "thông tin về cư trú",
                Provide,
                "Giấy xác nhận thông tin về cư trú",
                &[
                    "xin giấy xác nhận cư trú",
                    "xác nhận cư trú thay sổ hộ khẩu",
                ],
                &["Xác nhận"],
            ),
            ox(
                "tách hộ",
                Register,
                "Thông tin hộ gia đình được cập nhật trong Cơ sở dữ liệu về cư trú",
                &["tách hộ khẩu", "tách sổ hộ khẩu"],
                &["Giải quyết"],
            ),
        ],
        quals: &[
            "cho người chưa thành niên",
            "tại nơi ở hợp pháp là nhà thuê, mượn, ở nhờ",
            "trên phương tiện",
            "tại cơ sở tín ngưỡng, cơ sở tôn giáo",
        ],
        laws: &[
            "Luật Cư trú số 68/2020/QH14",
            "Nghị định số 154/2024/NĐ-CP",
            "Thông tư số 55/2021/TT-BCA",
            "Thông tư số 75/2022/TT-BTC",
        ],
        docs: &[
            "Tờ khai thay đổi thông tin cư trú (Mẫu CT01)",
            "Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp",
            "Văn bản đồng ý của chủ hộ hoặc chủ sở hữu chỗ ở hợp pháp",
            "Hợp đồng thuê, mượn, ở nhờ chỗ ở",
        ],
        requirements: &[
            "Có chỗ ở hợp pháp và được chủ sở hữu chỗ ở đồng ý.",
            "Diện tích nhà ở bảo đảm mức tối thiểu theo quy định của Hội đồng nhân dân cấp tỉnh.",
            "Người đăng ký không thuộc trường hợp bị cấm đăng ký cư trú.",
        ],
    },
    Field {
        name: "Căn cước",
        weight: 3,
        province_agencies: &["Phòng Cảnh sát quản lý hành chính về trật tự xã hội Công an tỉnh"],
        commune_agencies: &["Công an cấp xã"],
        commune_share: 60,
        objects: &[
            o(
                "thẻ căn cước",
                Permit,
                "",
                &["làm căn cước", "làm CCCD", "cấp lại căn cước"],
            ),
            o(
                "giấy chứng nhận căn cước",
                Permit,
                "",
                &["căn cước cho người gốc Việt"],
            ),
            o(
                "tài khoản định danh điện tử mức độ 2",
                Permit,
                "Tài khoản định danh điện tử mức độ 2 được kích hoạt",
                &["kích hoạt VNeID", "định danh mức 2", "tài khoản VNeID"],
            ),
            ox(
                "số định danh cá nhân và số chứng minh nhân dân",
                Provide,
                "Văn bản xác nhận số định danh cá nhân và số chứng minh nhân dân đã cấp",
                &["xác nhận số chứng minh cũ", "giấy xác nhận CMND"],
                &["Xác nhận"],
            ),
            o(
                "căn cước điện tử",
                Permit,
                "Căn cước điện tử được tích hợp trên ứng dụng định danh quốc gia",
                &["căn cước điện tử", "VNeID"],
            ),
            o(
                "thông tin trong Cơ sở dữ liệu căn cước",
                Register,
                "Thông tin được cập nhật trong Cơ sở dữ liệu căn cước",
                &["cập nhật thông tin căn cước", "sửa thông tin trên VNeID"],
            ),
        ],
        quals: &[
            "cho người dưới 14 tuổi",
            "cho người từ đủ 14 tuổi trở lên",
            "đối với người gốc Việt Nam chưa xác định được quốc tịch",
        ],
        laws: &[
            "Luật Căn cước số 26/2023/QH15",
            "Nghị định số 70/2024/NĐ-CP",
            "Nghị định số 69/2024/NĐ-CP",
            "Thông tư số 17/2024/TT-BCA",
        ],
        docs: &[
            "Thẻ căn cước hoặc thẻ Căn cước công dân đã được cấp",
            "Giấy tờ chứng minh nội dung thay đổi thông tin",
            "Giấy tờ chứng minh nơi cư trú",
        ],
        requirements: &[
            "Người đề nghị trực tiếp đến cơ quan quản lý căn cước để thu nhận thông tin sinh trắc học.",
            "Thông tin của người đề nghị đã có trong Cơ sở dữ liệu quốc gia về dân cư.",
        ],
    },
    Field {
        name: "Đăng ký kinh doanh",
        weight: 6,
        province_agencies: &["Sở Tài chính", "Phòng Đăng ký kinh doanh Sở Tài chính"],
        commune_agencies: &["Ủy ban nhân dân cấp xã"],
        commune_share: 40,
        objects: &[
            o(
                "thành lập doanh nghiệp tư nhân",
                Register,
                "Giấy chứng nhận đăng ký doanh nghiệp",
                &["mở công ty", "thành lập doanh nghiệp"],
            ),
            o(
                "thành lập công ty trách nhiệm hữu hạn một thành viên",
                Register,
                "Giấy chứng nhận đăng ký doanh nghiệp",
                &["mở công ty TNHH", "thành lập công ty"],
            ),
            ox(
                "hộ kinh doanh",
                Register,
                "Giấy chứng nhận đăng ký hộ kinh doanh",
                &[
                    "đăng ký hộ kinh doanh",
                    "xin giấy phép kinh doanh",
                    "mở quán",
                ],
                &["Chuyển đổi", "Tạm ngừng hoạt động"],
            ),
            o(
                "thay đổi nội dung đăng ký doanh nghiệp",
                Notice,
                "Giấy xác nhận về việc thay đổi nội dung đăng ký doanh nghiệp",
                &["đổi địa chỉ công ty", "thay đổi giám đốc"],
            ),
            o(
                "giải thể doanh nghiệp",
                Register,
                "Thông tin về việc giải thể doanh nghiệp được cập nhật trên Hệ thống thông tin quốc gia về đăng ký doanh nghiệp",
                &["giải thể công ty", "đóng cửa công ty"],
            ),
            o(
                "hoạt động chi nhánh, văn phòng đại diện, địa điểm kinh doanh",
                Register,
                "Giấy chứng nhận đăng ký hoạt động chi nhánh, văn phòng đại diện",
                &["mở chi nhánh", "lập văn phòng đại diện"],
            ),
            o(
                "hợp tác xã",
                Register,
                "Giấy chứng nhận đăng ký hợp tác xã",
                &["thành lập hợp tác xã", "lập HTX"],
            ),
            o(
                "giấy chứng nhận đăng ký doanh nghiệp",
                Permit,
                "",
                &["cấp lại giấy phép kinh doanh", "mất giấy phép kinh doanh"],
            ),
        ],
        quals: &[
            "do nhà đầu tư nước ngoài góp vốn",
            "trong trường hợp chia, tách, hợp nhất, sáp nhập",
            "theo quyết định của Tòa án",
        ],
        laws: &[
            "Luật Doanh nghiệp số 59/2020/QH14",
            "Nghị định số 168/2025/NĐ-CP",
            "Luật Hợp tác xã số 17/2023/QH15",
            "Thông tư số 47/2019/TT-BTC",
        ],
        docs: &[
            "Điều lệ công ty",
            "Danh sách thành viên hoặc cổ đông sáng lập",
            "Bản sao giấy tờ pháp lý của cá nhân đối với người đại diện theo pháp luật",
            "Nghị quyết, quyết định của chủ sở hữu hoặc Hội đồng thành viên",
        ],
        requirements: &[
            "Ngành, nghề đăng ký kinh doanh không bị cấm đầu tư kinh doanh.",
            "Tên doanh nghiệp được đặt đúng theo quy định của Luật Doanh nghiệp.",
            "Có hồ sơ đăng ký hợp lệ và đã nộp đủ lệ phí đăng ký.",
        ],
    },
    Field {
        name: "Lao động",
        weight: 4,
        province_agencies: &["Sở Nội vụ", "Trung tâm Dịch vụ việc làm tỉnh"],
        commune_agencies: &["Ủy ban nhân dân cấp xã"],
        commune_share: 15,
        objects: &[
            o(
                "giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam",
                Permit,
                "",
                &["xin work permit", "giấy phép lao động cho người nước ngoài"],
            ),
            o(
                "trợ cấp thất nghiệp",
                Benefit,
                "Quyết định về việc hưởng trợ cấp thất nghiệp",
                &["nhận trợ cấp thất nghiệp", "bảo hiểm thất nghiệp"],
            ),
            o(
                "nội quy lao động của doanh nghiệp",
                Register,
                "Văn bản thông báo về việc đăng ký nội quy lao động",
                &["đăng ký nội quy lao động"],
            ),
            o(
                "giấy phép hoạt động cho thuê lại lao động",
                Permit,
                "",
                &["cho thuê lại lao động"],
            ),
            o(
                "giấy phép hoạt động dịch vụ việc làm của doanh nghiệp",
                Permit,
                "",
                &["mở trung tâm giới thiệu việc làm"],
            ),
            o(
                "hỗ trợ học nghề",
                Benefit,
                "Quyết định hỗ trợ học nghề",
                &["hỗ trợ học nghề", "học nghề miễn phí"],
            ),
            o(
                "hợp đồng đưa người lao động đi làm việc ở nước ngoài",
                Register,
                "Văn bản chấp thuận đăng ký hợp đồng",
                &["đi xuất khẩu lao động", "xuất khẩu lao động"],
            ),
        ],
        quals: &[
            "làm việc tại nhiều tỉnh, thành phố",
            "cho doanh nghiệp trong khu công nghiệp",
            "đối với người lao động đã đóng bảo hiểm thất nghiệp",
            "theo hình thức hợp đồng cá nhân",
        ],
        laws: &[
            "Bộ luật Lao động số 45/2019/QH14",
            "Luật Việc làm số 38/2013/QH13",
            "Nghị định số 152/2020/NĐ-CP",
            "Nghị định số 145/2020/NĐ-CP",
            "Luật Người lao động Việt Nam đi làm việc ở nước ngoài theo hợp đồng số 69/2020/QH14",
        ],
        docs: &[
            "Giấy chứng nhận sức khỏe do cơ sở khám bệnh, chữa bệnh có thẩm quyền cấp",
            "Bản sao hộ chiếu còn giá trị theo quy định",
            "Sổ bảo hiểm xã hội",
            "Bản sao hợp đồng lao động hoặc quyết định thôi việc",
        ],
        requirements: &[
            "Người lao động đủ 18 tuổi trở lên và có năng lực hành vi dân sự đầy đủ.",
            "Đã đóng bảo hiểm thất nghiệp từ đủ 12 tháng trở lên trong thời gian 24 tháng trước khi chấm dứt hợp đồng lao động.",
            "Doanh nghiệp có nhu cầu sử dụng lao động đã được chấp thuận bằng văn bản.",
        ],
    },
    Field {
        name: "Bảo trợ xã hội",
        weight: 5,
        province_agencies: &["Sở Y tế"],
        commune_agencies: &["Ủy ban nhân dân cấp xã"],
        commune_share: 85,
        objects: &[
            o(
                "trợ cấp xã hội hằng tháng",
                Benefit,
                "Quyết định hưởng trợ cấp xã hội hằng tháng",
                &[
                    "xin trợ cấp người già",
                    "trợ cấp xã hội",
                    "tiền trợ cấp hằng tháng",
                ],
            ),
            o(
                "hỗ trợ kinh phí chăm sóc, nuôi dưỡng đối tượng bảo trợ xã hội",
                Benefit,
                "Quyết định hỗ trợ kinh phí chăm sóc, nuôi dưỡng",
                &["nuôi dưỡng người già neo đơn"],
            ),
            o(
                "hỗ trợ chi phí mai táng",
                Benefit,
                "Quyết định hỗ trợ chi phí mai táng",
                &["tiền mai táng", "hỗ trợ mai táng phí"],
            ),
            o(
                "giấy xác nhận khuyết tật",
                Permit,
                "",
                &["giấy xác nhận khuyết tật", "xác định mức độ khuyết tật"],
            ),
            o(
                "hộ nghèo, hộ cận nghèo",
                Recognition,
                "Quyết định công nhận hộ nghèo, hộ cận nghèo",
                &["xét hộ nghèo", "sổ hộ nghèo", "hộ cận nghèo"],
            ),
            o(
                "tiếp nhận đối tượng bảo trợ xã hội vào cơ sở trợ giúp xã hội",
                Case,
                "Quyết định tiếp nhận đối tượng vào cơ sở trợ giúp xã hội",
                &["đưa người già vào trung tâm bảo trợ"],
            ),
            o(
                "trợ giúp xã hội khẩn cấp",
                Benefit,
                "Quyết định hỗ trợ khẩn cấp",
                &["hỗ trợ thiên tai", "hỗ trợ nhà bị sập"],
            ),
        ],
        quals: &[
            "đối với người cao tuổi",
            "đối với người khuyết tật",
            "đối với trẻ em mồ côi",
            "khi đối tượng thay đổi nơi cư trú",
        ],
        laws: &[
            "Nghị định số 20/2021/NĐ-CP",
            "Nghị định số 76/2024/NĐ-CP",
            "Luật Người khuyết tật số 51/2010/QH12",
            "Luật Người cao tuổi số 39/2009/QH12",
        ],
        docs: &[
            "Tờ khai thông tin của đối tượng hưởng trợ cấp xã hội",
            "Giấy xác nhận khuyết tật (đối với người khuyết tật)",
            "Bản sao giấy khai sinh của trẻ em",
            "Giấy chứng tử hoặc trích lục khai tử",
        ],
        requirements: &[
            "Đối tượng thuộc diện hưởng chính sách trợ giúp xã hội theo quy định.",
            "Hội đồng xét duyệt cấp xã đã họp và niêm yết công khai kết quả xét duyệt.",
        ],
    },
    Field {
        name: "Người có công",
        weight: 3,
        province_agencies: &["Sở Nội vụ"],
        commune_agencies: &["Ủy ban nhân dân cấp xã"],
        commune_share: 40,
        objects: &[
            o(
                "trợ cấp ưu đãi đối với thân nhân liệt sĩ",
                Benefit,
                "Quyết định trợ cấp ưu đãi",
                &["chế độ thân nhân liệt sĩ", "tiền tuất liệt sĩ"],
            ),
            o(
                "thương binh và người hưởng chính sách như thương binh",
                Recognition,
                "Quyết định công nhận thương binh kèm Giấy chứng nhận thương binh",
                &["chế độ thương binh", "công nhận thương binh"],
            ),
            o(
                "liệt sĩ",
                Recognition,
                "Bằng Tổ quốc ghi công",
                &["công nhận liệt sĩ", "bằng Tổ quốc ghi công"],
            ),
            o(
                "chế độ ưu đãi người hoạt động kháng chiến bị nhiễm chất độc hóa học",
                Benefit,
                "Quyết định trợ cấp hằng tháng",
                &["chất độc da cam", "chế độ da cam"],
            ),
            o(
                "hỗ trợ cải thiện nhà ở đối với người có công với cách mạng",
                Benefit,
                "Quyết định hỗ trợ cải thiện nhà ở",
                &["hỗ trợ làm nhà người có công"],
            ),
            o(
                "di chuyển hài cốt liệt sĩ",
                Case,
                "Giấy giới thiệu di chuyển hài cốt liệt sĩ",
                &["bốc mộ liệt sĩ", "di chuyển mộ liệt sĩ"],
            ),
            o(
                "giấy chứng nhận người có công với cách mạng",
                Permit,
                "",
                &["cấp lại giấy chứng nhận thương binh"],
            ),
            o(
                "chế độ mai táng phí đối với người có công",
                Benefit,
                "Quyết định trợ cấp mai táng phí",
                &["mai táng phí người có công"],
            ),
        ],
        quals: &[
            "khi người có công từ trần",
            "đối với thân nhân liệt sĩ",
            "khi chuyển hồ sơ sang tỉnh khác",
        ],
        laws: &[
            "Pháp lệnh Ưu đãi người có công với cách mạng số 02/2020/UBTVQH14",
            "Nghị định số 131/2021/NĐ-CP",
            "Nghị định số 55/2023/NĐ-CP",
            "Nghị định số 75/2021/NĐ-CP",
        ],
        docs: &[
            "Bản sao giấy chứng nhận người có công hoặc quyết định hưởng trợ cấp",
            "Giấy chứng tử hoặc trích lục khai tử",
            "Biên bản giám định thương tật của Hội đồng giám định y khoa",
            "Giấy xác nhận của cơ quan, đơn vị quản lý người có công",
        ],
        requirements: &[
            "Người đề nghị là người có công hoặc thân nhân người có công theo quy định.",
            "Giấy tờ chứng minh phải do cơ quan có thẩm quyền cấp.",
        ],
    },
    Field {
        name: "Giáo dục và Đào tạo",
        weight: 4,
        province_agencies: &["Sở Giáo dục và Đào tạo"],
        commune_agencies: &["Ủy ban nhân dân cấp xã"],
        commune_share: 45,
        objects: &[
            o(
                "văn bằng, chứng chỉ từ sổ gốc",
                Provide,
                "Bản sao văn bằng, chứng chỉ từ sổ gốc",
                &["xin bản sao bằng tốt nghiệp", "mất bằng tốt nghiệp"],
            ),
            o(
                "việc thành lập trường mầm non, nhà trẻ tư thục",
                Approval,
                "",
                &["mở trường mầm non", "mở nhóm trẻ"],
            ),
            o(
                "trường đạt chuẩn quốc gia",
                Recognition,
                "Quyết định công nhận trường đạt chuẩn quốc gia",
                &["trường chuẩn quốc gia"],
            ),
            o(
                "chuyển trường đối với học sinh",
                Case,
                "Giấy giới thiệu chuyển trường",
                &["chuyển trường cho con", "xin chuyển trường"],
            ),
            o(
                "miễn, giảm học phí",
                Benefit,
                "Quyết định miễn, giảm học phí",
                &["miễn học phí", "giảm học phí"],
            ),
            o(
                "hỗ trợ chi phí học tập",
                Benefit,
                "Quyết định hỗ trợ chi phí học tập",
                &["hỗ trợ tiền học"],
            ),
            o(
                "hoạt động dạy thêm, học thêm ngoài nhà trường",
                Register,
                "Thông tin đăng ký dạy thêm được công khai trên cổng thông tin điện tử",
                &["đăng ký dạy thêm", "mở lớp dạy thêm"],
            ),
            o(
                "giấy phép hoạt động trung tâm ngoại ngữ, tin học",
                Permit,
                "",
                &["mở trung tâm tiếng Anh", "trung tâm ngoại ngữ"],
            ),
        ],
        quals: &[
            "đối với học sinh trung học cơ sở",
            "đối với học sinh trung học phổ thông",
            "có vốn đầu tư nước ngoài",
            "thuộc hộ nghèo, hộ cận nghèo",
        ],
        laws: &[
            "Luật Giáo dục số 43/2019/QH14",
            "Nghị định số 81/2021/NĐ-CP",
            "Nghị định số 125/2024/NĐ-CP",
            "Thông tư số 29/2024/TT-BGDĐT",
        ],
        docs: &[
            "Bản sao giấy khai sinh của học sinh",
            "Học bạ hoặc giấy xác nhận kết quả học tập",
            "Đề án thành lập hoặc cho phép hoạt động",
            "Giấy xác nhận hộ nghèo, hộ cận nghèo do Ủy ban nhân dân cấp xã cấp",
        ],
        requirements: &[
            "Người học thuộc đối tượng được hưởng chính sách theo quy định.",
            "Cơ sở giáo dục bảo đảm điều kiện về cơ sở vật chất, đội ngũ giáo viên và cán bộ quản lý.",
        ],
    },
    Field {
        name: "Y tế",
        weight: 4,
        province_agencies: &["Sở Y tế"],
        commune_agencies: &["Ủy ban nhân dân cấp xã"],
        commune_share: 20,
        objects: &[
            o(
                "giấy phép hành nghề khám bệnh, chữa bệnh",
                Permit,
                "",
                &["chứng chỉ hành nghề bác sĩ", "giấy phép hành nghề y"],
            ),
            o(
                "giấy phép hoạt động phòng khám",
                Permit,
                "",
                &["mở phòng khám", "giấy phép phòng khám tư"],
            ),
            o(
                "chứng chỉ hành nghề dược",
                Permit,
                "",
                &["chứng chỉ hành nghề dược", "mở nhà thuốc"],
            ),
            o(
                "giấy chứng nhận đủ điều kiện kinh doanh dược",
                Permit,
                "",
                &["giấy phép nhà thuốc", "mở quầy thuốc"],
            ),
            o(
                "giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
                Permit,
                "",
                &[
                    "giấy an toàn thực phẩm",
                    "giấy phép vệ sinh an toàn thực phẩm",
                ],
            ),
            o(
                "bản công bố sản phẩm thực phẩm",
                Register,
                "Giấy tiếp nhận đăng ký bản công bố sản phẩm",
                &["công bố thực phẩm", "công bố sản phẩm"],
            ),
            o("giấy chứng sinh", Permit, "", &["xin lại giấy chứng sinh"]),
        ],
        quals: &[
            "đối với cơ sở kinh doanh dịch vụ ăn uống",
            "đối với phòng khám chuyên khoa",
            "cho người nước ngoài hành nghề tại Việt Nam",
            "đối với cơ sở bán lẻ thuốc",
        ],
        laws: &[
            "Luật Khám bệnh, chữa bệnh số 15/2023/QH15",
            "Nghị định số 96/2023/NĐ-CP",
            "Luật Dược số 105/2016/QH13",
            "Luật An toàn thực phẩm số 55/2010/QH12",
            "Nghị định số 15/2018/NĐ-CP",
        ],
        docs: &[
            "Bản sao văn bằng chuyên môn phù hợp",
            "Giấy xác nhận quá trình thực hành",
            "Danh sách nhân sự và trang thiết bị y tế của cơ sở",
            "Giấy chứng nhận sức khỏe của chủ cơ sở và người trực tiếp sản xuất, kinh doanh",
        ],
        requirements: &[
            "Cơ sở có địa điểm, trang thiết bị và nhân lực đáp ứng điều kiện theo quy định.",
            "Người phụ trách chuyên môn có giấy phép hành nghề phù hợp với phạm vi hoạt động.",
            "Người đề nghị không đang trong thời gian bị cấm hành nghề.",
        ],
    },
    Field {
        name: "Văn hóa",
        weight: 3,
        province_agencies: &["Sở Văn hóa, Thể thao và Du lịch"],
        commune_agencies: &["Ủy ban nhân dân cấp xã"],
        commune_share: 40,
        objects: &[
            o(
                "giấy phép kinh doanh dịch vụ karaoke",
                Permit,
                "",
                &["mở quán karaoke", "giấy phép karaoke"],
            ),
            o(
                "giấy phép kinh doanh dịch vụ lữ hành nội địa",
                Permit,
                "",
                &["mở công ty du lịch", "giấy phép lữ hành"],
            ),
            o(
                "thẻ hướng dẫn viên du lịch",
                Permit,
                "",
                &["thẻ hướng dẫn viên", "làm hướng dẫn viên du lịch"],
            ),
            ox(
                "danh hiệu Gia đình văn hóa",
                Recognition,
                "Giấy khen Gia đình văn hóa",
                &["gia đình văn hóa"],
                &["Xét tặng"],
            ),
            o(
                "tổ chức lễ hội",
                Notice,
                "Văn bản xác nhận tiếp nhận thông báo tổ chức lễ hội",
                &["tổ chức lễ hội", "xin phép tổ chức lễ hội"],
            ),
            o(
                "tổ chức biểu diễn nghệ thuật",
                Notice,
                "Văn bản xác nhận tiếp nhận thông báo tổ chức biểu diễn nghệ thuật",
                &["tổ chức ca nhạc", "xin phép biểu diễn"],
            ),
            o(
                "sản phẩm quảng cáo trên bảng quảng cáo, băng-rôn",
                Notice,
                "",
                &["treo băng rôn", "dựng biển quảng cáo"],
            ),
            ox(
                "di tích cấp tỉnh",
                Recognition,
                "Quyết định xếp hạng di tích cấp tỉnh",
                &["xếp hạng di tích"],
                &["Xếp hạng"],
            ),
        ],
        quals: &[
            "tại địa điểm công cộng",
            "có yếu tố nước ngoài",
            "đối với cơ sở lưu trú du lịch",
        ],
        laws: &[
            "Luật Di sản văn hóa số 45/2024/QH15",
            "Nghị định số 54/2019/NĐ-CP",
            "Luật Quảng cáo số 16/2012/QH13",
            "Luật Du lịch số 09/2017/QH14",
            "Nghị định số 110/2018/NĐ-CP",
            "Nghị định số 144/2020/NĐ-CP",
        ],
        docs: &[
            "Bản sao Giấy chứng nhận đăng ký doanh nghiệp hoặc hộ kinh doanh",
            "Bản mô tả địa điểm, diện tích phòng hát",
            "Chương trình, kịch bản tổ chức hoạt động",
            "Ma-két sản phẩm quảng cáo có chữ ký của người đề nghị",
        ],
        requirements: &[
            "Địa điểm kinh doanh bảo đảm điều kiện về phòng, chống cháy nổ và an ninh, trật tự.",
            "Nội dung hoạt động không trái với thuần phong mỹ tục và quy định của pháp luật.",
        ],
    },
    Field {
        name: "Tài nguyên nước",
        weight: 2,
        province_agencies: &["Sở Nông nghiệp và Môi trường"],
        commune_agencies: &["Ủy ban nhân dân cấp xã"],
        commune_share: 20,
        objects: &[
            o(
                "giấy phép khai thác nước dưới đất",
                Permit,
                "",
                &["xin phép khoan giếng", "khai thác nước ngầm"],
            ),
            o(
                "giấy phép khai thác, sử dụng nước mặt",
                Permit,
                "",
                &["lấy nước sông", "khai thác nước mặt"],
            ),
            o(
                "giấy phép xả nước thải vào nguồn nước",
                Permit,
                "",
                &["xả nước thải", "giấy phép xả thải"],
            ),
            o(
                "giấy phép thăm dò nước dưới đất",
                Permit,
                "",
                &["thăm dò nước ngầm"],
            ),
            o(
                "giấy phép hành nghề khoan nước dưới đất",
                Permit,
                "",
                &["hành nghề khoan giếng"],
            ),
            o(
                "khai thác, sử dụng tài nguyên nước",
                Register,
                "Văn bản xác nhận đăng ký khai thác, sử dụng tài nguyên nước",
                &["đăng ký giếng khoan", "kê khai sử dụng nước"],
            ),
            o(
                "tiền cấp quyền khai thác tài nguyên nước",
                Approval,
                "",
                &["tiền cấp quyền khai thác nước"],
            ),
        ],
        quals: &[
            "với quy mô dưới 3.000 m³/ngày đêm",
            "cho mục đích sinh hoạt",
            "cho mục đích sản xuất, kinh doanh, dịch vụ",
            "đối với công trình đang hoạt động",
        ],
        laws: &[
            "Luật Tài nguyên nước số 28/2023/QH15",
            "Nghị định số 54/2024/NĐ-CP",
            "Nghị định số 53/2024/NĐ-CP",
            "Thông tư số 04/2024/TT-BTNMT",
        ],
        docs: &[
            "Báo cáo kết quả thăm dò, đánh giá trữ lượng nước dưới đất",
            "Kết quả phân tích chất lượng nguồn nước",
            "Sơ đồ khu vực và vị trí công trình khai thác nước",
            "Báo cáo hiện trạng khai thác, sử dụng nước",
        ],
        requirements: &[
            "Việc khai thác, sử dụng nước phù hợp với quy hoạch về tài nguyên nước.",
            "Có phương án khắc phục sự cố, bảo vệ nguồn nước trong quá trình khai thác.",
        ],
    },
    Field {
        name: "Nông nghiệp",
        weight: 3,
        province_agencies: &["Sở Nông nghiệp và Môi trường", "Chi cục Chăn nuôi và Thú y"],
        commune_agencies: &["Ủy ban nhân dân cấp xã"],
        commune_share: 35,
        objects: &[
            o(
                "giấy chứng nhận kiểm dịch động vật, sản phẩm động vật vận chuyển ra khỏi địa bàn cấp tỉnh",
                Permit,
                "",
                &["kiểm dịch heo", "kiểm dịch gia súc"],
            ),
            o(
                "giấy chứng nhận đủ điều kiện chăn nuôi",
                Permit,
                "",
                &["giấy phép trang trại", "chăn nuôi trang trại"],
            ),
            o(
                "giấy chứng nhận đủ điều kiện buôn bán thuốc bảo vệ thực vật",
                Permit,
                "",
                &["mở cửa hàng thuốc trừ sâu", "bán thuốc bảo vệ thực vật"],
            ),
            ox(
                "hoạt động chăn nuôi",
                Register,
                "Văn bản xác nhận kê khai hoạt động chăn nuôi",
                &["kê khai chăn nuôi"],
                &["Kê khai"],
            ),
            o(
                "chuyển đổi cơ cấu cây trồng trên đất trồng lúa",
                Register,
                "Văn bản chấp thuận chuyển đổi cơ cấu cây trồng",
                &["chuyển đất lúa sang trồng cây", "chuyển đổi cây trồng"],
            ),
            o(
                "hỗ trợ khôi phục sản xuất nông nghiệp bị thiệt hại do thiên tai",
                Benefit,
                "Quyết định hỗ trợ khôi phục sản xuất",
                &["hỗ trợ mất mùa", "hỗ trợ thiệt hại thiên tai"],
            ),
            o(
                "làng nghề truyền thống",
                Recognition,
                "Quyết định công nhận làng nghề truyền thống",
                &["công nhận làng nghề"],
            ),
            o(
                "giấy phép khai thác thủy sản",
                Permit,
                "",
                &["giấy phép đánh bắt cá", "đăng ký tàu cá"],
            ),
        ],
        quals: &[
            "đối với cơ sở chăn nuôi quy mô lớn",
            "đối với tàu cá có chiều dài dưới 15 mét",
            "trên địa bàn cấp xã",
            "đối với hộ nông dân",
        ],
        laws: &[
            "Luật Chăn nuôi số 32/2018/QH14",
            "Luật Trồng trọt số 31/2018/QH14",
            "Luật Thú y số 79/2015/QH13",
            "Luật Thủy sản số 18/2017/QH14",
            "Nghị định số 02/2017/NĐ-CP",
        ],
        docs: &[
            "Bản kê khai cơ sở vật chất, trang thiết bị",
            "Giấy xác nhận tập huấn chuyên môn",
            "Bản đồ khu vực chuyển đổi",
            "Biên bản kiểm tra thiệt hại có xác nhận của thôn, tổ dân phố",
        ],
        requirements: &[
            "Cơ sở bảo đảm yêu cầu về vệ sinh thú y và bảo vệ môi trường.",
            "Người đề nghị đã được tập huấn kiến thức chuyên môn phù hợp.",
        ],
    },
    Field {
        name: "Thuế",
        weight: 3,
        province_agencies: &["Thuế tỉnh", "Thuế cơ sở"],
        commune_agencies: &[],
        commune_share: 0,
        objects: &[
            o(
                "mã số thuế cá nhân",
                Permit,
                "Thông báo mã số thuế",
                &["đăng ký mã số thuế", "làm mã số thuế cá nhân"],
            ),
            o(
                "thông tin đăng ký thuế",
                Register,
                "Thông báo về việc thay đổi thông tin đăng ký thuế",
                &["thay đổi thông tin mã số thuế"],
            ),
            o(
                "miễn, giảm thuế",
                Case,
                "Quyết định miễn, giảm thuế",
                &["miễn giảm thuế"],
            ),
            o(
                "hoàn thuế thu nhập cá nhân",
                Case,
                "Quyết định hoàn thuế",
                &["hoàn thuế thu nhập cá nhân", "lấy lại tiền thuế"],
            ),
            o(
                "gia hạn nộp thuế",
                Case,
                "Quyết định gia hạn nộp thuế",
                &["xin gia hạn nộp thuế"],
            ),
            ox(
                "lệ phí trước bạ nhà, đất",
                Register,
                "Thông báo nộp lệ phí trước bạ nhà, đất",
                &["đóng lệ phí trước bạ", "nộp trước bạ"],
                &["Khai"],
            ),
            ox(
                "thông tin thực hiện nghĩa vụ thuế",
                Provide,
                "Văn bản xác nhận việc thực hiện nghĩa vụ thuế",
                &["xác nhận không nợ thuế"],
                &["Xác nhận"],
            ),
            o(
                "miễn, giảm tiền sử dụng đất",
                Case,
                "Quyết định miễn, giảm tiền sử dụng đất",
                &["miễn tiền sử dụng đất"],
            ),
        ],
        quals: &[
            "đối với hộ kinh doanh nộp thuế theo phương pháp khoán",
            "đối với cá nhân có thu nhập từ tiền lương, tiền công",
            "theo phương thức điện tử",
            "đối với người nộp thuế gặp khó khăn do thiên tai",
        ],
        laws: &[
            "Luật Quản lý thuế số 38/2019/QH14",
            "Nghị định số 126/2020/NĐ-CP",
            "Thông tư số 86/2024/TT-BTC",
            "Thông tư số 80/2021/TT-BTC",
            "Nghị định số 10/2022/NĐ-CP",
        ],
        docs: &[
            "Tờ khai đăng ký thuế",
            "Bản sao hợp đồng, chứng từ liên quan đến khoản thu nhập",
            "Văn bản đề nghị kèm tài liệu chứng minh thiệt hại",
            "Bản sao giấy tờ chứng minh quyền sở hữu tài sản",
        ],
        requirements: &[
            "Người nộp thuế đã hoàn thành thủ tục đăng ký thuế.",
            "Số tiền đề nghị phải có chứng từ hợp pháp chứng minh.",
        ],
    },
    Field {
        name: "Công thương",
        weight: 3,
        province_agencies: &["Sở Công Thương"],
        commune_agencies: &["Ủy ban nhân dân cấp xã"],
        commune_share: 30,
        objects: &[
            o(
                "giấy phép bán lẻ rượu",
                Permit,
                "",
                &["giấy phép bán rượu", "bán rượu"],
            ),
            o(
                "giấy phép bán lẻ sản phẩm thuốc lá",
                Permit,
                "",
                &["giấy phép bán thuốc lá"],
            ),
            o(
                "giấy chứng nhận cửa hàng đủ điều kiện bán lẻ xăng dầu",
                Permit,
                "",
                &["mở cây xăng", "cửa hàng xăng dầu"],
            ),
            o(
                "thực hiện khuyến mại",
                Notice,
                "Văn bản xác nhận tiếp nhận thông báo thực hiện khuyến mại",
                &["đăng ký khuyến mại", "chạy khuyến mãi"],
            ),
            o(
                "giấy chứng nhận đủ điều kiện kinh doanh khí",
                Permit,
                "",
                &["cửa hàng gas", "bán bình gas"],
            ),
            o(
                "tổ chức hội chợ, triển lãm thương mại",
                Register,
                "Văn bản xác nhận đăng ký tổ chức hội chợ, triển lãm thương mại",
                &["tổ chức hội chợ"],
            ),
            o(
                "giấy phép sản xuất rượu thủ công nhằm mục đích kinh doanh",
                Permit,
                "",
                &["nấu rượu bán"],
            ),
            o(
                "hoạt động bán hàng đa cấp",
                Register,
                "Văn bản xác nhận đăng ký hoạt động bán hàng đa cấp tại địa phương",
                &["bán hàng đa cấp"],
            ),
        ],
        quals: &[
            "tại chợ, trung tâm thương mại",
            "cho thương nhân có vốn đầu tư nước ngoài",
            "theo hình thức bốc thăm may rủi",
        ],
        laws: &[
            "Luật Thương mại số 36/2005/QH11",
            "Nghị định số 105/2017/NĐ-CP",
            "Nghị định số 83/2014/NĐ-CP",
            "Nghị định số 67/2013/NĐ-CP",
            "Nghị định số 81/2018/NĐ-CP",
        ],
        docs: &[
            "Bản sao Giấy chứng nhận đăng ký doanh nghiệp hoặc hộ kinh doanh",
            "Bản sao hợp đồng với thương nhân cung cấp",
            "Bản kê khai địa điểm, diện tích kinh doanh",
            "Giấy chứng nhận đủ điều kiện về phòng cháy, chữa cháy",
        ],
        requirements: &[
            "Thương nhân được thành lập theo quy định của pháp luật.",
            "Địa điểm kinh doanh cố định, có địa chỉ rõ ràng và bảo đảm an toàn phòng cháy, chữa cháy.",
        ],
    },
    Field {
        name: "Tư pháp",
        weight: 3,
        province_agencies: &["Sở Tư pháp", "Trung tâm Trợ giúp pháp lý nhà nước tỉnh"],
        commune_agencies: &["Ủy ban nhân dân cấp xã"],
        commune_share: 35,
        objects: &[
            o(
                "phiếu lý lịch tư pháp",
                Permit,
                "",
                &["xin lý lịch tư pháp", "làm lý lịch tư pháp"],
            ),
            o(
                "yêu cầu trợ giúp pháp lý",
                Case,
                "Văn bản thông báo kết quả trợ giúp pháp lý",
                &["tư vấn pháp luật miễn phí", "nhờ luật sư miễn phí"],
            ),
            o(
                "hòa giải viên",
                Recognition,
                "Quyết định công nhận hòa giải viên",
                &["làm hòa giải viên"],
            ),
            o(
                "tuyên truyền viên pháp luật",
                Recognition,
                "Quyết định công nhận tuyên truyền viên pháp luật",
                &["tuyên truyền viên pháp luật"],
            ),
            o("chứng chỉ hành nghề luật sư", Permit, "", &["làm luật sư"]),
            o(
                "giấy đăng ký hoạt động của tổ chức hành nghề luật sư",
                Permit,
                "",
                &["mở văn phòng luật"],
            ),
            o(
                "yêu cầu bồi thường trong hoạt động quản lý hành chính",
                Dispute,
                "Quyết định giải quyết bồi thường",
                &["đòi bồi thường nhà nước"],
            ),
            o("thẻ công chứng viên", Permit, "", &["thẻ công chứng viên"]),
        ],
        quals: &[
            "cho công dân Việt Nam đang cư trú ở nước ngoài",
            "cho người nước ngoài đã cư trú tại Việt Nam",
            "theo yêu cầu của cơ quan tiến hành tố tụng",
            "ở cơ sở",
        ],
        laws: &[
            "Luật Lý lịch tư pháp số 28/2009/QH12",
            "Luật Trợ giúp pháp lý số 11/2017/QH14",
            "Luật Hòa giải ở cơ sở số 35/2013/QH13",
            "Luật Luật sư số 65/2006/QH11",
            "Luật Trách nhiệm bồi thường của Nhà nước số 10/2017/QH14",
        ],
        docs: &[
            "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
            "Giấy tờ chứng minh thuộc diện được trợ giúp pháp lý",
            "Bản sao giấy tờ chứng minh thiệt hại",
            "Biên bản bầu hòa giải viên",
        ],
        requirements: &[
            "Người yêu cầu thuộc diện được trợ giúp pháp lý theo quy định.",
            "Người đề nghị có phẩm chất đạo đức tốt, gương mẫu chấp hành pháp luật.",
        ],
    },
    Field {
        name: "Môi trường",
        weight: 3,
        province_agencies: &["Sở Nông nghiệp và Môi trường"],
        commune_agencies: &["Ủy ban nhân dân cấp xã"],
        commune_share: 25,
        objects: &[
            o(
                "giấy phép môi trường",
                Permit,
                "",
                &["giấy phép môi trường", "xin giấy phép xả thải"],
            ),
            o(
                "báo cáo đánh giá tác động môi trường",
                Approval,
                "",
                &["đánh giá tác động môi trường", "ĐTM"],
            ),
            o(
                "môi trường",
                Register,
                "Văn bản tiếp nhận đăng ký môi trường",
                &["đăng ký môi trường", "kê khai môi trường"],
            ),
            o(
                "phương án cải tạo, phục hồi môi trường",
                Approval,
                "",
                &["phục hồi môi trường mỏ"],
            ),
            o(
                "kế hoạch ứng phó sự cố môi trường",
                Approval,
                "",
                &["ứng phó sự cố môi trường"],
            ),
            o(
                "giấy phép khai thác khoáng sản làm vật liệu xây dựng thông thường",
                Permit,
                "",
                &["khai thác cát", "giấy phép mỏ đất"],
            ),
            o(
                "khai thác khoáng sản nhóm IV",
                Register,
                "Văn bản xác nhận đăng ký khai thác khoáng sản nhóm IV",
                &["khai thác đất san lấp"],
            ),
        ],
        quals: &[
            "đối với dự án đầu tư nhóm II",
            "đối với cơ sở sản xuất, kinh doanh, dịch vụ",
            "trong khu công nghiệp, cụm công nghiệp",
            "đối với dự án nằm trên địa bàn từ hai xã trở lên",
        ],
        laws: &[
            "Luật Bảo vệ môi trường số 72/2020/QH14",
            "Nghị định số 08/2022/NĐ-CP",
            "Nghị định số 05/2025/NĐ-CP",
            "Luật Địa chất và khoáng sản số 54/2024/QH15",
        ],
        docs: &[
            "Báo cáo đề xuất cấp giấy phép môi trường",
            "Báo cáo nghiên cứu khả thi hoặc tài liệu tương đương của dự án",
            "Bản đồ vị trí khu vực thực hiện dự án",
            "Kết quả quan trắc môi trường",
        ],
        requirements: &[
            "Dự án phù hợp với quy hoạch bảo vệ môi trường và quy hoạch tỉnh.",
            "Có công trình xử lý chất thải đáp ứng quy chuẩn kỹ thuật về môi trường.",
        ],
    },
    Field {
        name: "Tín ngưỡng, tôn giáo",
        weight: 2,
        province_agencies: &["Sở Dân tộc và Tôn giáo", "Sở Nội vụ"],
        commune_agencies: &["Ủy ban nhân dân cấp xã"],
        commune_share: 50,
        objects: &[
            o(
                "sinh hoạt tôn giáo tập trung",
                Register,
                "Văn bản chấp thuận đăng ký sinh hoạt tôn giáo tập trung",
                &["sinh hoạt tôn giáo", "đăng ký điểm nhóm tôn giáo"],
            ),
            o(
                "danh mục hoạt động tín ngưỡng",
                Notice,
                "",
                &["lễ hội đình chùa"],
            ),
            o(
                "người đại diện cơ sở tín ngưỡng",
                Register,
                "Văn bản chấp thuận người đại diện cơ sở tín ngưỡng",
                &["người trông coi đình"],
            ),
            o(
                "việc tổ chức cuộc lễ ngoài cơ sở tôn giáo",
                Approval,
                "",
                &["tổ chức lễ ngoài chùa"],
            ),
            o(
                "việc tổ chức quyên góp",
                Notice,
                "",
                &["quyên góp xây chùa"],
            ),
            o(
                "người được phong phẩm hoặc suy cử làm chức sắc",
                Notice,
                "",
                &["phong chức sắc"],
            ),
        ],
        quals: &[
            "của tổ chức tôn giáo",
            "của cơ sở tín ngưỡng",
            "diễn ra ở nhiều xã",
        ],
        laws: &[
            "Luật Tín ngưỡng, tôn giáo số 02/2016/QH14",
            "Nghị định số 95/2023/NĐ-CP",
        ],
        docs: &[
            "Danh sách tín đồ tham gia sinh hoạt tôn giáo tập trung",
            "Bản tóm tắt tiểu sử của người đại diện",
            "Văn bản chấp thuận của chủ sở hữu địa điểm",
        ],
        requirements: &[
            "Địa điểm sinh hoạt hợp pháp, bảo đảm an ninh, trật tự.",
            "Người đại diện là công dân Việt Nam thường trú tại Việt Nam, có năng lực hành vi dân sự đầy đủ.",
        ],
    },
    Field {
        name: "Phòng cháy, chữa cháy",
        weight: 2,
        province_agencies: &[
            "Phòng Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ Công an tỉnh",
        ],
        commune_agencies: &["Công an cấp xã"],
        commune_share: 30,
        objects: &[
            o(
                "thiết kế về phòng cháy, chữa cháy",
                Approval,
                "",
                &["thẩm duyệt PCCC", "thẩm duyệt phòng cháy"],
            ),
            o(
                "kết quả nghiệm thu về phòng cháy, chữa cháy",
                Approval,
                "",
                &["nghiệm thu PCCC"],
            ),
            o(
                "giấy chứng nhận huấn luyện nghiệp vụ phòng cháy, chữa cháy",
                Permit,
                "",
                &["chứng chỉ PCCC", "học PCCC"],
            ),
            o(
                "giấy xác nhận đủ điều kiện kinh doanh dịch vụ phòng cháy, chữa cháy",
                Permit,
                "",
                &["kinh doanh thiết bị PCCC"],
            ),
            o(
                "phương án chữa cháy của cơ sở",
                Approval,
                "",
                &["phương án PCCC"],
            ),
            o(
                "phục hồi hoạt động của cơ sở bị tạm đình chỉ",
                Case,
                "Quyết định phục hồi hoạt động",
                &["mở cửa lại sau khi bị đình chỉ PCCC"],
            ),
        ],
        quals: &[
            "đối với nhà ở kết hợp kinh doanh",
            "đối với cơ sở karaoke, vũ trường",
            "trong khu công nghiệp",
        ],
        laws: &[
            "Luật Phòng cháy, chữa cháy và cứu nạn, cứu hộ số 55/2024/QH15",
            "Nghị định số 105/2025/NĐ-CP",
            "Thông tư số 258/2016/TT-BTC",
        ],
        docs: &[
            "Hồ sơ thiết kế có nội dung về phòng cháy, chữa cháy",
            "Biên bản nghiệm thu hệ thống phòng cháy, chữa cháy",
            "Danh sách người được huấn luyện",
        ],
        requirements: &[
            "Công trình thuộc danh mục phải thẩm định thiết kế về phòng cháy, chữa cháy.",
            "Hệ thống phòng cháy, chữa cháy được lắp đặt đúng thiết kế đã được thẩm định.",
        ],
    },
];

/// Who the procedure is for; fits any field.
static APPLICANT_QUALS: &[&str] = &[
    "đối với hộ gia đình, cá nhân",
    "cho tổ chức",
    "đối với tổ chức kinh tế",
    "đối với người nước ngoài",
    "đối với người Việt Nam định cư ở nước ngoài",
    "đối với hộ kinh doanh",
    "cho doanh nghiệp nhỏ và vừa",
    "đối với hợp tác xã",
];

/// How or where it is done; fits any action.
static SITUATION_QUALS: &[&str] = &[
    "tại cấp xã",
    "tại cấp tỉnh",
    "trên môi trường điện tử",
    "theo thủ tục rút gọn",
    "thực hiện liên thông",
    "sau khi sắp xếp đơn vị hành chính",
];

/// The 34 provinces and cities after the 2025 merger, for names of locally specific procedures.
static PROVINCES: &[&str] = &[
    "thành phố Hà Nội",
    "thành phố Huế",
    "thành phố Hải Phòng",
    "thành phố Đà Nẵng",
    "Thành phố Hồ Chí Minh",
    "thành phố Cần Thơ",
    "tỉnh Lai Châu",
    "tỉnh Điện Biên",
    "tỉnh Sơn La",
    "tỉnh Lạng Sơn",
    "tỉnh Quảng Ninh",
    "tỉnh Thanh Hóa",
    "tỉnh Nghệ An",
    "tỉnh Hà Tĩnh",
    "tỉnh Cao Bằng",
    "tỉnh Tuyên Quang",
    "tỉnh Lào Cai",
    "tỉnh Thái Nguyên",
    "tỉnh Phú Thọ",
    "tỉnh Bắc Ninh",
    "tỉnh Hưng Yên",
    "tỉnh Ninh Bình",
    "tỉnh Quảng Trị",
    "tỉnh Quảng Ngãi",
    "tỉnh Gia Lai",
    "tỉnh Khánh Hòa",
    "tỉnh Lâm Đồng",
    "tỉnh Đắk Lắk",
    "tỉnh Đồng Nai",
    "tỉnh Tây Ninh",
    "tỉnh Vĩnh Long",
    "tỉnh Đồng Tháp",
    "tỉnh Cà Mau",
    "tỉnh An Giang",
];

/// Added to some legal bases: the decree on the one-stop mechanism itself.
const ONE_STOP_DECREE: &str = "Nghị định số 118/2025/NĐ-CP";

const PROVINCE_LEVEL: &str = "Cấp tỉnh";
const COMMUNE_LEVEL: &str = "Cấp xã";
const PROVINCE_ADDRESS: &str = "Trung tâm Phục vụ hành chính công tỉnh";
const COMMUNE_ADDRESS: &str = "Bộ phận Một cửa Ủy ban nhân dân cấp xã";

/// (name, originals, copies) of documents any procedure may ask for.
static COMMON_DOCS: &[(&str, u32, u32)] = &[
    (
        "Bản sao Căn cước công dân hoặc thẻ Căn cước của người đề nghị",
        0,
        1,
    ),
    (
        "Giấy ủy quyền theo quy định của pháp luật (trường hợp nộp hồ sơ thông qua người được ủy quyền)",
        1,
        0,
    ),
    (
        "Ảnh màu cỡ 3 x 4 cm, nền trắng, chụp không quá 06 tháng",
        2,
        0,
    ),
    (
        "Bản sao Giấy chứng nhận đăng ký doanh nghiệp (đối với tổ chức)",
        0,
        1,
    ),
    (
        "Văn bản xác nhận của Ủy ban nhân dân cấp xã nơi cư trú",
        1,
        0,
    ),
];

static COMMON_REQUIREMENTS: &[&str] = &[
    "Người đề nghị có năng lực hành vi dân sự đầy đủ.",
    "Hồ sơ được lập thành 01 bộ; giấy tờ bằng tiếng nước ngoài phải được dịch sang tiếng Việt và chứng thực theo quy định.",
    "Thông tin kê khai trong hồ sơ phải trung thực, chính xác; người đề nghị chịu trách nhiệm trước pháp luật về nội dung kê khai.",
];

// ---------------------------------------------------------------------------------------------
// Assembly

/// Keeps names unique across the catalog.
#[derive(Default)]
struct NameRegistry {
    seen: HashSet<String>,
    /// Next "trường hợp n" per name whose every variant is taken.
    next_case: HashMap<String, u32>,
}

impl NameRegistry {
    fn contains(&self, name: &str) -> bool {
        self.seen.contains(name)
    }

    fn claim(&mut self, rng: &mut Rng, name: String) -> String {
        if !self.seen.contains(&name) {
            self.seen.insert(name.clone());
            return name;
        }
        // A procedure specific to one province, as locally issued procedures are.
        let start = rng.below(PROVINCES.len());
        for k in 0..PROVINCES.len() {
            let candidate = format!(
                "{name} (áp dụng tại {})",
                PROVINCES[(start + k) % PROVINCES.len()]
            );
            if !self.seen.contains(&candidate) {
                self.seen.insert(candidate.clone());
                return candidate;
            }
        }
        let counter = self.next_case.entry(name.clone()).or_insert(2);
        loop {
            let candidate = format!("{name} – trường hợp {counter}");
            *counter += 1;
            if !self.seen.contains(&candidate) {
                self.seen.insert(candidate.clone());
                return candidate;
            }
        }
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn weighted_field(rng: &mut Rng) -> &'static Field {
    let total: u32 = FIELDS.iter().map(|f| f.weight).sum();
    let mut roll = rng.below(total as usize) as u32;
    for field in FIELDS {
        if roll < field.weight {
            return field;
        }
        roll -= field.weight;
    }
    unreachable!("roll is below the total weight")
}

fn weighted_action(rng: &mut Rng, obj: &Obj) -> &'static str {
    const EXTRA_WEIGHT: u32 = 2;
    let actions = obj.kind.actions();
    let total: u32 = actions.iter().map(|a| a.weight).sum::<u32>()
        + EXTRA_WEIGHT * obj.extra_actions.len() as u32;
    let mut roll = rng.below(total as usize) as u32;
    for action in actions {
        if roll < action.weight {
            return action.text;
        }
        roll -= action.weight;
    }
    obj.extra_actions[(roll / EXTRA_WEIGHT) as usize]
}

/// The qualifiers specific to `action` on `obj` (none for the object's own extra actions).
fn action_quals_of(obj: &Obj, action: &str) -> &'static [&'static str] {
    obj.kind
        .actions()
        .iter()
        .find(|a| a.text == action)
        .map_or(&[], |a| a.quals)
}

fn build_name(
    rng: &mut Rng,
    base: &str,
    applicant_pool: &[&str],
    situation_pool: &[&str],
    force_qualifier: bool,
) -> String {
    let mut with_applicant = rng.percent(40);
    let mut with_situation = !situation_pool.is_empty() && rng.percent(30);
    if force_qualifier && !with_applicant && !with_situation {
        if situation_pool.is_empty() || rng.percent(50) {
            with_applicant = true;
        } else {
            with_situation = true;
        }
    }
    let mut name = base.to_owned();
    if with_applicant {
        name.push(' ');
        name.push_str(rng.pick::<&str>(applicant_pool));
    }
    if with_situation {
        name.push(' ');
        name.push_str(rng.pick::<&str>(situation_pool));
    }
    name
}

fn result_text(kind: Kind, action: &str, obj: &Obj) -> String {
    let thing = obj.text;
    match action {
        "Thu hồi" => format!("Quyết định thu hồi {thing}"),
        "Thu hồi quyết định công nhận" => {
            format!("Quyết định thu hồi quyết định công nhận {thing}")
        }
        "Thôi hưởng" | "Tạm dừng" | "Chấm dứt" => {
            format!("Quyết định {} {thing}", lower_first(action))
        }
        "Chuyển nơi hưởng" => format!("Giấy giới thiệu chuyển nơi hưởng {thing}"),
        "Xác nhận" if kind == Provide && !obj.result.is_empty() => obj.result.to_owned(),
        "Xác nhận" => format!("Văn bản xác nhận {thing}"),
        "Xóa đăng ký" => format!("Văn bản xác nhận xóa đăng ký {thing}"),
        "Thẩm định" | "Thẩm định hồ sơ" => {
            format!("Thông báo kết quả thẩm định {thing}")
        }
        "Phê duyệt" | "Thẩm định, phê duyệt" => format!("Quyết định phê duyệt {thing}"),
        "Chấp thuận" => format!("Văn bản chấp thuận {thing}"),
        "Hòa giải" => format!("Biên bản hòa giải {thing}"),
        "Thông báo chấm dứt" => {
            format!("Văn bản xác nhận tiếp nhận thông báo chấm dứt {thing}")
        }
        "Sửa lỗi sai sót trong" => {
            "Giấy tờ, văn bản đã được sửa lỗi sai sót và chứng thực".to_owned()
        }
        "Cấp bản sao" => format!("Bản sao {thing}"),
        "Gia hạn" if kind == Permit => format!("{} đã được gia hạn", capitalize(thing)),
        "Điều chỉnh" if kind == Permit => format!("{} đã được điều chỉnh", capitalize(thing)),
        _ if !obj.result.is_empty() => obj.result.to_owned(),
        _ => match kind {
            Permit => capitalize(thing),
            Register => format!("Văn bản xác nhận đăng ký {thing}"),
            Benefit => format!("Quyết định giải quyết {thing}"),
            Approval => format!("Quyết định phê duyệt {thing}"),
            Recognition => format!("Quyết định công nhận {thing}"),
            Notice => format!("Văn bản xác nhận tiếp nhận thông báo {thing}"),
            Certify => format!("{} được chứng thực", capitalize(thing)),
            Case | Dispute => format!("Quyết định giải quyết {thing}"),
            Provide => format!("Văn bản cung cấp {thing}"),
        },
    }
}

fn form_name(kind: Kind, action: &str, thing: &str) -> String {
    let what = format!("{} {thing}", lower_first(action));
    match kind {
        Register => format!("Tờ khai {what} theo Mẫu số 01"),
        Notice => format!("Văn bản {what} theo Mẫu số 01"),
        Certify => format!("Phiếu yêu cầu {what} theo Mẫu số 01"),
        Approval => format!("Tờ trình đề nghị {what} theo Mẫu số 01"),
        Dispute => format!("Đơn yêu cầu {what} theo Mẫu số 01"),
        _ => format!("Đơn đề nghị {what} theo Mẫu số 01"),
    }
}

fn processing_time(rng: &mut Rng, days: u32) -> String {
    match rng.below(if days <= 2 { 4 } else { 3 }) {
        0 => format!("{days} ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ"),
        1 => format!("Trong thời hạn {days} ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ"),
        2 => format!(
            "{days} ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ; trường hợp cần xác minh thì kéo dài thêm không quá {} ngày làm việc",
            rng.pick(&[3, 5, 10])
        ),
        _ => format!(
            "{days} ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ; trường hợp nhận hồ sơ sau 15 giờ thì trả kết quả trong ngày làm việc tiếp theo"
        ),
    }
}

const SMALL_FEES: &[u64] = &[10_000, 15_000, 20_000, 25_000, 30_000, 50_000];
const MEDIUM_FEES: &[u64] = &[50_000, 100_000, 150_000, 200_000, 300_000];
const LARGE_FEES: &[u64] = &[
    500_000, 1_000_000, 1_500_000, 2_000_000, 3_000_000, 4_500_000,
];

fn fees(rng: &mut Rng, kind: Kind, action: &str, thing: &str, online: OnlineLevel) -> Vec<Fee> {
    let free_share = match kind {
        Benefit | Recognition | Dispute | Notice => 85,
        Case | Provide => 40,
        _ => 25,
    };
    if rng.percent(free_share) {
        return vec![Fee {
            name: "Lệ phí".to_owned(),
            amount_vnd: AmountVnd(0),
            note: "Miễn phí".to_owned(),
        }];
    }
    let ladder = match kind {
        Certify | Provide | Notice => SMALL_FEES,
        Register | Benefit | Recognition | Case | Dispute => {
            if rng.percent(60) {
                SMALL_FEES
            } else {
                MEDIUM_FEES
            }
        }
        Permit => *rng.pick(&[SMALL_FEES, MEDIUM_FEES, MEDIUM_FEES, LARGE_FEES]),
        Approval => *rng.pick(&[MEDIUM_FEES, LARGE_FEES]),
    };
    let mut notes: Vec<String> = vec![
        String::new(),
        "Nộp khi nhận kết quả".to_owned(),
        "Miễn đối với hộ nghèo, người cao tuổi, người khuyết tật".to_owned(),
        "Mức thu theo Nghị quyết của Hội đồng nhân dân tỉnh".to_owned(),
        "Nộp trực tiếp hoặc chuyển khoản theo mã VietQR".to_owned(),
    ];
    if online != OnlineLevel::None {
        notes.push("Giảm 50% khi nộp hồ sơ trực tuyến".to_owned());
        notes.push("Thanh toán trực tuyến qua Cổng Dịch vụ công quốc gia".to_owned());
    }
    if kind == Certify {
        notes.push(
            "Tính theo bản; từ trang thứ ba trở lên thu 1.000 đồng/trang, tối đa 200.000 đồng/bản"
                .to_owned(),
        );
    }
    let prefix = if action.starts_with("Thẩm định") {
        "Phí"
    } else {
        "Lệ phí"
    };
    let mut result = vec![Fee {
        name: format!("{prefix} {} {thing}", lower_first(action)),
        amount_vnd: AmountVnd(*rng.pick(ladder)),
        note: rng.pick(&notes).clone(),
    }];
    if matches!(kind, Permit | Approval | Case) && rng.percent(35) {
        result.push(Fee {
            name: "Phí thẩm định hồ sơ".to_owned(),
            amount_vnd: AmountVnd(*rng.pick(MEDIUM_FEES)),
            note: rng.pick(&notes).clone(),
        });
    }
    result
}

fn steps(
    rng: &mut Rng,
    agency: &str,
    address: &str,
    online: OnlineLevel,
    paid: bool,
) -> Vec<String> {
    let mut out = Vec::with_capacity(6);
    out.push(match online {
        OnlineLevel::None => format!(
            "Tổ chức, cá nhân nộp hồ sơ trực tiếp hoặc qua dịch vụ bưu chính tại {address}."
        ),
        OnlineLevel::Full if rng.percent(50) => "Người yêu cầu đăng nhập Cổng Dịch vụ công quốc gia bằng tài khoản định danh điện tử, điền tờ khai và đính kèm bản điện tử các giấy tờ.".to_owned(),
        _ => format!(
            "Tổ chức, cá nhân nộp hồ sơ trực tuyến trên Cổng Dịch vụ công quốc gia hoặc trực tiếp tại {address}."
        ),
    });
    out.push(if rng.percent(50) {
        "Công chức tiếp nhận kiểm tra hồ sơ; nếu chưa đầy đủ thì hướng dẫn bổ sung, hoàn thiện một lần.".to_owned()
    } else {
        "Hồ sơ đầy đủ, hợp lệ được cấp Giấy tiếp nhận hồ sơ và hẹn trả kết quả.".to_owned()
    });
    let mut middle = vec![
        format!("Bộ phận Một cửa chuyển hồ sơ đến {agency} trong ngày làm việc."),
        format!("{agency} thẩm định hồ sơ, kiểm tra thực tế khi cần thiết."),
        format!("Trường hợp cần xác minh, {agency} lấy ý kiến các cơ quan có liên quan."),
        format!("Nếu không đủ điều kiện, {agency} trả lời bằng văn bản và nêu rõ lý do."),
    ];
    if paid {
        middle.push("Người nộp hồ sơ nộp phí, lệ phí trước khi nhận kết quả.".to_owned());
    }
    let count = match rng.below(100) {
        0..=54 => 1,
        55..=89 => 2,
        _ => 3,
    };
    let mut chosen: Vec<usize> = rng
        .sample(&(0..middle.len()).collect::<Vec<_>>(), count)
        .into_iter()
        .copied()
        .collect();
    chosen.sort_unstable();
    out.extend(chosen.into_iter().map(|i| middle[i].clone()));
    out.push(match online {
        OnlineLevel::Full => "Kết quả được trả qua tài khoản trên Cổng Dịch vụ công quốc gia hoặc qua dịch vụ bưu chính.".to_owned(),
        _ => format!(
            "Người yêu cầu nhận kết quả tại {address} theo ngày hẹn hoặc qua dịch vụ bưu chính."
        ),
    });
    // Sometimes only one middle step and no forwarding: 3 steps in all.
    if out.len() == 4 && rng.percent(50) {
        out.remove(2);
    }
    out
}

fn documents(
    rng: &mut Rng,
    code: &str,
    field: &Field,
    kind: Kind,
    action: &str,
    thing: &str,
) -> Vec<RequiredDocument> {
    let total = *rng.pick(&[2, 2, 2, 3, 3, 3, 4, 4, 5, 6]);
    let mut docs = vec![RequiredDocument {
        name: form_name(kind, action, thing),
        originals: 1,
        copies: 0,
        form_url: Some(format!("/forms/{code}-mau-01.pdf")),
        required: None,
    }];
    if total >= 3 && rng.percent(20) {
        docs.push(RequiredDocument {
            name: "Bản kê khai thông tin theo Mẫu số 02".to_owned(),
            originals: 1,
            copies: 0,
            form_url: Some(format!("/forms/{code}-mau-02.pdf")),
            required: None,
        });
    }
    let mut pool: Vec<(String, u32, u32)> = Vec::new();
    if matches!(
        action,
        "Cấp lại" | "Cấp đổi" | "Gia hạn" | "Điều chỉnh" | "Đổi" | "Chuyển đổi"
    ) && kind == Permit
    {
        pool.push((
            format!("Bản gốc {thing} đã được cấp (trừ trường hợp bị mất)"),
            1,
            0,
        ));
    }
    for &name in field.docs {
        let (originals, copies) = if name.starts_with("Bản sao") {
            (0, 1 + rng.below(2) as u32)
        } else {
            (1, rng.below(2) as u32)
        };
        pool.push((name.to_owned(), originals, copies));
    }
    for &(name, originals, copies) in COMMON_DOCS {
        pool.push((name.to_owned(), originals, copies));
    }
    let wanted = total - docs.len();
    // The action-specific document, when there is one, always comes first.
    let first_fixed = usize::from(pool.len() > field.docs.len() + COMMON_DOCS.len());
    let mut chosen: Vec<(String, u32, u32)> = pool.drain(..first_fixed).collect();
    chosen.extend(
        rng.sample(&pool, wanted.saturating_sub(chosen.len()))
            .into_iter()
            .cloned(),
    );
    chosen.truncate(wanted);
    docs.extend(
        chosen
            .into_iter()
            .map(|(name, originals, copies)| RequiredDocument {
                name,
                originals,
                copies,
                form_url: None,
                required: None,
            }),
    );
    docs
}

fn procedure(rng: &mut Rng, code: &str, names: &mut NameRegistry) -> Procedure {
    let field = weighted_field(rng);
    let commune = !field.commune_agencies.is_empty() && rng.percent(field.commune_share);
    let (level, address, agency) = if commune {
        (
            COMMUNE_LEVEL,
            COMMUNE_ADDRESS,
            *rng.pick(field.commune_agencies),
        )
    } else {
        (
            PROVINCE_LEVEL,
            PROVINCE_ADDRESS,
            *rng.pick(field.province_agencies),
        )
    };

    // Name: action + object, plus qualifiers. When the name is taken, redraw the qualifiers, and
    // after a few tries the object and action too.
    let applicant_pool: Vec<&str> = field.quals.iter().chain(APPLICANT_QUALS).copied().collect();
    let wrong_level = if commune {
        "tại cấp tỉnh"
    } else {
        "tại cấp xã"
    };
    let mut obj = rng.pick(field.objects);
    let mut action = "";
    let mut name = String::new();
    for attempt in 0..12 {
        if attempt == 0 || attempt % 4 == 0 {
            if attempt > 0 {
                obj = rng.pick(field.objects);
            }
            action = weighted_action(rng, obj);
        }
        let action_quals = action_quals_of(obj, action);
        let situation_pool: Vec<&str> = action_quals
            .iter()
            .chain(SITUATION_QUALS)
            .copied()
            .filter(|&q| q != wrong_level)
            .collect();
        let base = format!("{action} {}", obj.text);
        name = build_name(
            rng,
            &base,
            &applicant_pool,
            &situation_pool,
            attempt % 4 >= 2,
        );
        if !names.contains(&name) {
            break;
        }
    }
    let name = names.claim(rng, name);
    let kind = obj.kind;

    let online = match (kind, rng.below(100)) {
        (Dispute, r) if r < 50 => OnlineLevel::None,
        (Dispute, _) => OnlineLevel::Partial,
        (_, r) if r < 35 => OnlineLevel::Full,
        (_, r) if r < 80 => OnlineLevel::Partial,
        _ => OnlineLevel::None,
    };
    let mut days = *rng.pick(kind.days());
    if commune && days > 10 && rng.percent(50) {
        days = 10;
    }
    let processing_time = processing_time(rng, days);
    let fees = fees(rng, kind, action, obj.text, online);
    let paid = fees.iter().any(|fee| fee.amount_vnd.0 > 0);
    let steps = steps(rng, agency, address, online, paid);
    let documents = documents(rng, code, field, kind, action, obj.text);

    let requirements = if rng.percent(12) {
        "Không có.".to_owned()
    } else {
        let pool: Vec<&str> = field
            .requirements
            .iter()
            .chain(COMMON_REQUIREMENTS)
            .copied()
            .collect();
        let n = if rng.percent(70) { 1 } else { 2 };
        rng.sample(&pool, n)
            .into_iter()
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    };

    let legal_count = rng.between(2, 3);
    let add_one_stop = legal_count == 3 && rng.percent(30);
    let mut legal_basis: Vec<String> = rng
        .sample(field.laws, legal_count - usize::from(add_one_stop))
        .into_iter()
        .map(|law| (*law).to_owned())
        .collect();
    if add_one_stop || legal_basis.len() < 2 {
        legal_basis.push(ONE_STOP_DECREE.to_owned());
    }

    let keyword_count = rng.between(1, 3);
    let keywords = rng
        .sample(obj.keywords, keyword_count)
        .into_iter()
        .map(|k| (*k).to_owned())
        .collect();

    let mut extra = serde_json::Map::new();
    extra.insert("processing_days".to_owned(), Value::from(days));

    Procedure {
        code: ProcedureCode::parse(code).expect("generated codes are well formed"),
        name,
        field: field.name.to_owned(),
        agency: agency.to_owned(),
        level: level.to_owned(),
        online,
        processing_time,
        fees,
        steps,
        documents,
        requirements,
        result: result_text(kind, action, obj),
        legal_basis,
        address: address.to_owned(),
        keywords,
        extra,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(p: &Procedure) -> String {
        serde_json::to_string(p).unwrap()
    }

    #[test]
    fn same_seed_same_catalog_different_seed_different_catalog() {
        let a = generate(500, 7);
        let b = generate(500, 7);
        let c = generate(500, 8);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a.procedures[0].code, c.procedures[0].code);
        // A larger catalog extends a smaller one.
        let larger = generate(800, 7);
        assert_eq!(a.procedures[..], larger.procedures[..500]);
    }

    #[test]
    fn empty_catalog() {
        let catalog = generate(0, 1);
        assert!(catalog.procedures.is_empty());
        assert_eq!(catalog.format, motcua_protocol::CATALOG_FORMAT);
    }

    #[test]
    fn codes_are_unique_and_well_formed() {
        let catalog = generate(20_000, 3);
        let mut seen = HashSet::new();
        for p in &catalog.procedures {
            let code = p.code.as_str();
            assert!(code.starts_with("1.") || code.starts_with("2."), "{code}");
            assert!(seen.insert(code.to_owned()), "duplicate code {code}");
        }
        assert_eq!(seen.len(), 20_000);
    }

    #[test]
    fn every_record_passes_validation_and_round_trips() {
        for p in generate(3_000, 11).procedures {
            let value = serde_json::to_value(&p).unwrap();
            let parsed = motcua_protocol::parse_procedure(&value)
                .unwrap_or_else(|e| panic!("{}: {e}", p.code));
            assert_eq!(parsed, p);
        }
    }

    #[test]
    fn whole_catalog_parses_as_a_file() {
        let catalog = generate(1_000, 5);
        let text = serde_json::to_string(&catalog).unwrap();
        let parsed = motcua_protocol::parse_catalog(&text).expect("valid catalog");
        assert_eq!(parsed, catalog);
    }

    #[test]
    fn text_is_precomposed() {
        for p in generate(5_000, 2).procedures {
            let text = text_of(&p);
            assert!(
                !text.chars().any(|c| ('\u{0300}'..='\u{036F}').contains(&c)),
                "combining character in {}: {}",
                p.code,
                p.name
            );
        }
    }

    #[test]
    fn names_are_mostly_distinct() {
        let catalog = generate(10_000, 7);
        let distinct: HashSet<&str> = catalog.procedures.iter().map(|p| p.name.as_str()).collect();
        assert!(
            distinct.len() * 10 >= catalog.procedures.len() * 9,
            "only {} distinct names",
            distinct.len()
        );
        // Qualifiers, not suffixes, should do nearly all the work.
        let suffixed = catalog
            .procedures
            .iter()
            .filter(|p| p.name.contains(" (áp dụng tại "))
            .count();
        assert!(
            suffixed < 1_000,
            "{suffixed} names needed a province suffix"
        );
    }

    #[test]
    fn records_have_the_promised_shape() {
        let catalog = generate(5_000, 9);
        let mut bytes = 0;
        let mut online = [0usize; 3];
        let mut free = 0;
        for p in &catalog.procedures {
            bytes += text_of(p).len();
            assert!(
                (3..=6).contains(&p.steps.len()),
                "{}: {} steps",
                p.code,
                p.steps.len()
            );
            assert!(
                (2..=6).contains(&p.documents.len()),
                "{}: {} documents",
                p.code,
                p.documents.len()
            );
            assert!(
                (2..=3).contains(&p.legal_basis.len()),
                "{}: {:?}",
                p.code,
                p.legal_basis
            );
            assert!(
                (1..=3).contains(&p.keywords.len()),
                "{}: {:?}",
                p.code,
                p.keywords
            );
            assert!(!p.fees.is_empty());
            for fee in &p.fees {
                assert_eq!(fee.amount_vnd.0 % 1_000, 0);
                assert!(fee.amount_vnd.0 <= 5_000_000);
                if fee.amount_vnd.0 == 0 {
                    free += 1;
                }
            }
            let form = &p.documents[0];
            assert_eq!(
                form.form_url.as_deref(),
                Some(format!("/forms/{}-mau-01.pdf", p.code).as_str())
            );
            assert!(form.name.contains("Mẫu số 01"));
            let days = p
                .extra
                .get("processing_days")
                .and_then(Value::as_u64)
                .expect("processing_days");
            assert!(
                p.processing_time.contains(&format!("{days} ngày làm việc")),
                "{}",
                p.processing_time
            );
            assert_eq!(p.extra.len(), 1);
            match p.level.as_str() {
                PROVINCE_LEVEL => assert_eq!(p.address, PROVINCE_ADDRESS),
                COMMUNE_LEVEL => assert_eq!(p.address, COMMUNE_ADDRESS),
                other => panic!("unexpected level {other}"),
            }
            online[match p.online {
                OnlineLevel::Full => 0,
                OnlineLevel::Partial => 1,
                OnlineLevel::None => 2,
            }] += 1;
            assert!(p.steps.iter().all(|s| s.ends_with('.')));
        }
        let average = bytes / catalog.procedures.len();
        assert!(
            (900..=2_600).contains(&average),
            "average record is {average} bytes"
        );
        assert!(online.iter().all(|&n| n > 250), "online mix {online:?}");
        assert!(free > 250, "only {free} free fees");
        let fields: HashSet<&str> = catalog
            .procedures
            .iter()
            .map(|p| p.field.as_str())
            .collect();
        assert!(fields.len() >= 16, "{} fields", fields.len());
    }

    #[test]
    fn vocabulary_is_rich_enough() {
        assert!(FIELDS.len() >= 16);
        for field in FIELDS {
            assert!(
                field.objects.len() >= 6,
                "{} has {} objects",
                field.name,
                field.objects.len()
            );
            assert!(field.laws.len() >= 2, "{} has too few laws", field.name);
            assert!(!field.province_agencies.is_empty());
            assert!(field.docs.len() + COMMON_DOCS.len() >= 6);
            for obj in field.objects {
                assert!(!obj.keywords.is_empty(), "{} has no keywords", obj.text);
            }
        }
    }

    #[test]
    fn code_permutation_is_a_bijection() {
        // STRIDE is coprime with CODE_SPACE = 2^7 · 5^6.
        assert_eq!(STRIDE % 2, 1);
        assert_ne!(STRIDE % 5, 0);
    }
}
