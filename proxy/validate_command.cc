namespace sipguard {}
