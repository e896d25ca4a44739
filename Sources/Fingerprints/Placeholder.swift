// Placeholder until the first fingerprint lands.
