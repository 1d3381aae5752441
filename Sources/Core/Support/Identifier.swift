/// Opaque, time-ordered identifiers: a short type prefix and a ULID
/// (48-bit milliseconds + 80 random bits, Crockford base32), e.g. `ld_01HZX3…`.
///
/// Time order keeps B-tree inserts at the right edge; the random part makes ids
/// unguessable, so they reveal nothing of another tenant's volume.
public enum Identifier {
    private static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    public static func make(_ prefix: String, millis: Int64) -> String {
        let hi = UInt64(UInt64(bitPattern: millis) & 0xFFFF_FFFF_FFFF)
        // libcrypto's generator: `SystemRandomNumberGenerator` made two `getrandom` system
        // calls per id, and an import makes an id per row.
        let (r1, r2) = Crypto.random128()
        // 128 bits: 48 time bits, 80 random bits.
        let high = (hi << 16) | (r1 >> 48)
        let low = (r1 << 16) | (r2 & 0xFFFF)
        var out = [UInt8](repeating: 0, count: 26)
        for i in 0..<26 {
            let shift = 125 - i * 5  // bit offset from the low end of the 130-bit field
            let v: UInt64
            if shift >= 64 {
                v = (high >> UInt64(shift - 64)) & 31
            } else if shift > 59 {
                v = ((high << UInt64(64 - shift)) | (low >> UInt64(shift))) & 31
            } else if shift >= 0 {
                v = (low >> UInt64(shift)) & 31
            } else {
                v = (low << UInt64(-shift)) & 31
            }
            out[i] = alphabet[Int(v)]
        }
        return prefix + "_" + String(decoding: out, as: UTF8.self)
    }
}
