import Testing
@Test func placeholderUI() {}
