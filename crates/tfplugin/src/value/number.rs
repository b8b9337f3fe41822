//! Numbers as cty holds them: exact integers, finite floats, or decimal text.

use super::*;

/// A cty number. Equality is numeric: `Int(1) == Float(1.0) == Big("1e0")`.
#[derive(Debug, Clone)]
pub enum Number {
    /// An integer that fits i64.
    Int(i64),
    /// A finite float.
    Float(f64),
    /// A decimal string for a value neither i64 nor f64 holds exactly.
    Big(String),
}

impl Number {
    /// Parses a decimal number string; integers that fit i64 become `Int`, others stay `Big`.
    pub fn parse(s: &str) -> Option<Number> {
        let d = Decimal::parse(s)?;
        Some(
            d.to_i64()
                .map_or_else(|| Number::Big(s.to_owned()), Number::Int),
        )
    }

    /// A number from a float: `None` unless finite; integral values that fit i64 become `Int`.
    pub fn from_f64(f: f64) -> Option<Number> {
        if !f.is_finite() {
            return None;
        }
        Some(f64_to_i64(f).map_or(Number::Float(f), Number::Int))
    }

    /// The value as i64 if it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::Float(f) => f64_to_i64(*f),
            Number::Big(s) => Decimal::parse(s)?.to_i64(),
        }
    }

    /// The value as the nearest f64, if finite.
    pub fn as_f64(&self) -> Option<f64> {
        let f = match self {
            Number::Int(i) => *i as f64,
            Number::Float(f) => *f,
            Number::Big(s) => s.parse().ok()?,
        };
        f.is_finite().then_some(f)
    }

    /// The number as Terraform writes it in a state file: plain decimal digits, never an
    /// exponent, no trailing zeros after the point (`5`, `-0.25`, `1000000`); `None` if
    /// the number is not finite or not a valid decimal.
    ///
    /// The msgpack encoder sends numbers in this form. Terraform (1.11, until its own fix
    /// in 1.15) compares refreshed state with the stored state including the precision
    /// of each number: from a msgpack int or float it builds a 64-bit big.Float, from
    /// text (the state file, or a msgpack string) a 512-bit one, so only text compares
    /// equal to what it later reads back from the state file. Past about 150 significant
    /// digits Terraform rounds and stores other text; such numbers may still differ.
    pub fn state_text(&self) -> Option<String> {
        match self.exact_i64() {
            Some(i) => Some(i.to_string()),
            None => self.decimal().map(|d| d.plain()),
        }
    }

    /// The integer an `Int`, or a float holding a whole number in i64's range, is exactly
    /// (a float's shortest decimal form may round the last digits of such a number).
    fn exact_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::Float(f) => f64_to_i64(*f),
            Number::Big(_) => None,
        }
    }

    fn decimal(&self) -> Option<Decimal> {
        match self {
            Number::Int(i) => Decimal::parse(&i.to_string()),
            // `{:e}` prints the shortest digits that round-trip, so 0.1 compares equal to "0.1".
            Number::Float(f) if f.is_finite() => Decimal::parse(&format!("{f:e}")),
            Number::Float(_) => None,
            Number::Big(s) => Decimal::parse(s),
        }
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        // A float that holds a whole number in i64's range is that integer exactly (the
        // msgpack encoder writes it so).
        match (self.exact_i64(), other.exact_i64()) {
            (Some(a), Some(b)) => a == b,
            _ => matches!((self.decimal(), other.decimal()), (Some(a), Some(b)) if a == b),
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Float(x) => write!(f, "{x}"),
            Number::Big(s) => f.write_str(s),
        }
    }
}

pub(super) fn f64_to_i64(f: f64) -> Option<i64> {
    // 2^63 is exact in f64; anything below it and at or above -2^63 converts losslessly.
    let in_range = (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f);
    (in_range && f.fract() == 0.0).then_some(f as i64)
}

/// A normalised decimal: `±digits × 10^exp`, digits without leading or trailing zeros.
#[derive(Debug, PartialEq)]
pub(super) struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    exp: i64,
}

impl Decimal {
    /// Accepts what Go's big.ParseFloat accepts in base 10, minus inf/nan.
    pub(super) fn parse(s: &str) -> Option<Decimal> {
        fn sign(b: &[u8]) -> (bool, &[u8]) {
            match b {
                [b'-', r @ ..] => (true, r),
                [b'+', r @ ..] => (false, r),
                r => (false, r),
            }
        }
        fn digits(b: &[u8]) -> (&[u8], &[u8]) {
            b.split_at(b.iter().take_while(|c| c.is_ascii_digit()).count())
        }
        let (negative, rest) = sign(s.as_bytes());
        let (int, rest) = digits(rest);
        let (frac, rest) = match rest {
            [b'.', r @ ..] => digits(r),
            r => (&[][..], r),
        };
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        let exp = match rest {
            [] => 0,
            [b'e' | b'E', r @ ..] => {
                let (eneg, r) = sign(r);
                if r.is_empty() || !r.iter().all(u8::is_ascii_digit) {
                    return None;
                }
                let mut e: i64 = 0;
                for c in r {
                    e = e * 10 + i64::from(c - b'0');
                    if e > MAX_EXPONENT {
                        return None;
                    }
                }
                if eneg { -e } else { e }
            }
            _ => return None,
        };
        let mut exp = exp.checked_sub(i64::try_from(frac.len()).ok()?)?;
        let all = int.iter().chain(frac).map(|c| c - b'0');
        let mut digits: Vec<u8> = all.skip_while(|&d| d == 0).collect();
        while digits.last() == Some(&0) {
            digits.pop();
            exp += 1;
        }
        // Zero has one form, whatever its sign or exponent.
        let (negative, exp) = if digits.is_empty() {
            (false, 0)
        } else {
            (negative, exp)
        };
        Some(Decimal {
            negative,
            digits,
            exp,
        })
    }

    /// Go's `big.Float.Text('f', -1)` for a value with no more digits than its precision
    /// holds: the digits, padded with zeros or split by a point, never an exponent.
    pub(super) fn plain(&self) -> String {
        if self.digits.is_empty() {
            return "0".to_owned();
        }
        let text = |digits: &[u8]| {
            digits
                .iter()
                .map(|d| char::from(b'0' + d))
                .collect::<String>()
        };
        let sign = if self.negative { "-" } else { "" };
        // The exponent is bounded by parsing (MAX_EXPONENT and the input's length).
        let shift = usize::try_from(self.exp.unsigned_abs()).unwrap_or(usize::MAX);
        if self.exp >= 0 {
            format!("{sign}{}{}", text(&self.digits), "0".repeat(shift))
        } else if let Some(whole) = self.digits.len().checked_sub(shift).filter(|&w| w > 0) {
            let (int, frac) = self.digits.split_at(whole);
            format!("{sign}{}.{}", text(int), text(frac))
        } else {
            let zeros = shift - self.digits.len();
            format!("{sign}0.{}{}", "0".repeat(zeros), text(&self.digits))
        }
    }

    pub(super) fn to_i64(&self) -> Option<i64> {
        let exp = usize::try_from(self.exp).ok()?;
        if self.digits.len().checked_add(exp)? > 19 {
            return None;
        }
        let mut v = self
            .digits
            .iter()
            .fold(0i128, |v, &d| v * 10 + i128::from(d));
        for _ in 0..exp {
            v *= 10;
        }
        i64::try_from(if self.negative { -v } else { v }).ok()
    }
}
