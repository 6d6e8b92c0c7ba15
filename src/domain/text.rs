//! Text helpers for people's names and identifiers.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Lower-cases and strips diacritics (`Nguyễn Văn Ánh` → `nguyen van anh`, `đ` →
/// `d`) so that searches typed without accents still match, whether the text came
/// precomposed (NFC) or as letters and combining marks (NFD).
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'đ' { 'd' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Text as stored: composed (NFC), so that `Nguyễn` typed on any keyboard is one string.
pub fn nfc(text: &str) -> String {
    text.nfc().collect()
}

/// Characters that show nothing or silently reorder the text around them: zero-width
/// spaces and joiners, bidirectional marks, embeddings, overrides and isolates (U+202E
/// makes `exe.txt` read `txt.exe`), the byte-order mark, the soft hyphen. A name made of
/// them looks empty; one holding them looks like another.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
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
        // Decomposed input, and both tone placements of "hoà".
        assert_eq!(fold("Nguye\u{302}\u{303}n Va\u{306}n A"), "nguyen van a");
        assert_eq!(fold("Hòa"), fold("Hoà"));
    }

    #[test]
    fn invisible_characters() {
        assert_eq!(nfc("Nguye\u{302}\u{303}n"), "Nguyễn");
        for c in ['\u{200B}', '\u{202E}', '\u{2066}', '\u{FEFF}', '\u{00AD}'] {
            assert!(is_invisible(c), "{c:?}");
        }
        for c in ['a', 'ễ', ' ', '-', '\''] {
            assert!(!is_invisible(c), "{c:?}");
        }
    }

    #[test]
    fn masks_all_but_the_last_four() {
        assert_eq!(mask("079201001234"), "********1234");
        assert_eq!(mask("0912345678"), "******5678");
        assert_eq!(mask("12"), "12");
    }
}
