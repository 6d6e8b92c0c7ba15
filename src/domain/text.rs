//! Text helpers for people's names and identifiers.

/// Lower-cases and strips Vietnamese diacritics (`Nguyễn Văn Ánh` → `nguyen van anh`,
/// `đ` → `d`) so that searches typed without accents still match.
pub fn fold(text: &str) -> String {
    const GROUPS: [(&str, char); 7] = [
        ("àáạảãâầấậẩẫăằắặẳẵ", 'a'),
        ("èéẹẻẽêềếệểễ", 'e'),
        ("ìíịỉĩ", 'i'),
        ("òóọỏõôồốộổỗơờớợởỡ", 'o'),
        ("ùúụủũưừứựửữ", 'u'),
        ("ỳýỵỷỹ", 'y'),
        ("đ", 'd'),
    ];
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| {
            GROUPS
                .iter()
                .find(|(letters, _)| letters.contains(c))
                .map_or(c, |(_, base)| *base)
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Shows only the last four characters: `********1234`.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let keep = chars.len().min(4);
    let hidden = chars.len() - keep;
    "*".repeat(hidden) + &chars[hidden..].iter().collect::<String>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Nguyễn Văn A"), "nguyen van a");
        assert_eq!(fold("ĐẶNG  Thị   Ỷ"), "dang thi y");
        assert_eq!(fold("Trương Ưng Đức"), "truong ung duc");
        assert_eq!(fold("Lê Hồng Phúc"), "le hong phuc");
    }

    #[test]
    fn masks_all_but_the_last_four() {
        assert_eq!(mask("079201001234"), "********1234");
        assert_eq!(mask("0912345678"), "******5678");
        assert_eq!(mask("12"), "12");
    }
}
