// Anchor translation unit so sipguard_common is a real archive while its
// other parts are header-only. Removed once the library has sources.
namespace sipguard {}
