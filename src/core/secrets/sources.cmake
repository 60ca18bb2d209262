target_sources(rae_core PRIVATE
    secrets/credentialstore.cpp secrets/credentialstore.h)
# QtKeychain is used only inside this folder's sources.
target_link_libraries(rae_core PRIVATE Qt6Keychain::Qt6Keychain)
