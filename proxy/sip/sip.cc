namespace sipguard::sip {}
