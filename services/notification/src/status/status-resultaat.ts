/** A status as Digipoort's statusinformatieservice returns it (koppelvlak 1.2 `StatusResultaat`). */
export interface StatusResultaat {
  readonly kenmerk: string;
  readonly identiteitBelanghebbende: { readonly nummer: string; readonly type: string };
  readonly statuscode: string;
  readonly tijdstempelStatus: string;
  readonly statusomschrijving: string;
  readonly statusFoutcode?: { readonly foutcode: string; readonly foutbeschrijving: string };
  readonly statusdetails?: string;
}
