// The npm `xml-encryption` package (auth0) ships no types; only the decrypt entry the tests use is declared.
declare module 'xml-encryption' {
  export function decrypt(
    xml: string,
    options: { key: string | Buffer; disallowDecryptionWithInsecureAlgorithm?: boolean },
    callback: (error: Error | null, plaintext?: string) => void,
  ): void;
}
