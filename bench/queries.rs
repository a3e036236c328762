//! The queries the search benchmarks type, letter by letter.

pub const QUERIES: &[&str] = &[
    "dang ky khai sinh",
    "cap giay phep xay dung",
    "chung thuc ban sao",
    "giay chung nhan quyen su dung dat",
    "dang ky thuong tru",
    "cap doi giay phep lai xe",
    "tro cap that nghiep",
    "đăng ký kinh doanh hộ gia đình",
    "xac nhan tinh trang hon nhan",
    "gia han giay phep",
    "thu hoi giay chung nhan",
    "cap lai the bao hiem y te",
];

/// Every prefix of every query, as a visitor types them.
pub fn keystrokes() -> Vec<String> {
    QUERIES
        .iter()
        .flat_map(|q| {
            let chars: Vec<char> = q.chars().collect();
            (1..=chars.len()).map(move |n| chars[..n].iter().collect::<String>())
        })
        .collect()
}

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}
