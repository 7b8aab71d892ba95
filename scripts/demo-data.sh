# Sample data for the demo: Indonesian cooperatives, their member
# producers and offers, and marketplace demands that only pooling can fill.
# Sourced by scripts/demo.sh, which defines r() (the rantai CLI) and
# keeps the last seq of each registry in $pseq / $bseq.

producer() { # id name coop province lat,lon class
  pseq=$(r put-producer --id "$1" --name "$2" --coop "$3" --province "$4" \
    --at "$5" --class "$6" | awk '{print $NF}')
}
offer() { # id producer commodity qty price [extra args...]
  local id=$1 prod=$2 com=$3 qty=$4 price=$5
  shift 5
  pseq=$(r put-offer --id "$id" --producer "$prod" --commodity "$com" \
    --qty "$qty" --price "$price" "$@" | awk '{print $NF}')
}
buyer() { # id name marketplace
  bseq=$(r put-buyer --id "$1" --name "$2" --marketplace "$3" | awk '{print $NF}')
}
demand() { # id buyer commodity qty [extra args...]
  local id=$1 buy=$2 com=$3 qty=$4
  shift 4
  bseq=$(r post-demand --id "$id" --buyer "$buy" --commodity "$com" \
    --qty "$qty" "$@" | awk '{print $NF}')
}

# --- Coffee: Gayo (Aceh), Ijen-Raung (Jawa Timur), Kintamani (Bali) -----
producer GAYO-01 "Pak Ridwan, Takengon"        KOP-GAYO 11 4.62,96.84 micro
producer GAYO-02 "Ibu Nurhayati, Bener Meriah" KOP-GAYO 11 4.73,96.86 micro
producer GAYO-03 "Kelompok Tani Bebesen"       KOP-GAYO 11 4.64,96.82 small
producer IJEN-01 "Pak Slamet, Sumberwringin"   KOP-IJEN 35 -7.93,113.99 micro
producer IJEN-02 "Ibu Sutini, Sukosari"        KOP-IJEN 35 -7.96,114.02 micro
producer KIN-01  "Subak Abian Kintamani"       KOP-KINTAMANI 51 -8.25,115.33 small
producer KIN-02  "Pak Wayan, Catur"            KOP-KINTAMANI 51 -8.22,115.30 micro
offer GAYO-01-ARABIKA GAYO-01 090111 1.2t  82000/kg --cert HALAL:ID00110000511:2028-12-31
offer GAYO-02-ARABIKA GAYO-02 090111 900kg 83500/kg --cert HALAL
offer GAYO-03-ARABIKA GAYO-03 090111 700kg 84000/kg --cert HALAL --cert ORGANIC
offer IJEN-01-ARABIKA IJEN-01 090111 800kg 90000/kg --cert HALAL --min-order 100kg
offer IJEN-02-ARABIKA IJEN-02 090111 600kg 91000/kg --cert HALAL
offer KIN-01-ARABIKA  KIN-01  090111 500kg 92000/kg --cert HALAL --cert GEOGRAPHICAL_INDICATION
offer KIN-02-ARABIKA  KIN-02  090111 400kg 88000/kg

# --- Fresh milk: KPSBU Lembang and KPS Bogor (Jawa Barat), SAE Pujon ----
producer LBG-01 "Peternak Cikole, Lembang"  KOP-KPSBU 32 -6.81,107.62 micro
producer LBG-02 "Peternak Cibodas, Lembang" KOP-KPSBU 32 -6.83,107.60 micro
producer LBG-03 "Peternak Suntenjaya"       KOP-KPSBU 32 -6.78,107.68 micro
producer BGR-01 "Peternak Cisarua, Bogor"   KOP-KPS-BOGOR 32 -6.68,106.93 micro
producer BGR-02 "Peternak Megamendung"      KOP-KPS-BOGOR 32 -6.64,106.85 micro
producer PJN-01 "Peternak Pujon, Malang"    KOP-SAE-PUJON 35 -7.84,112.46 small
offer LBG-01-SUSU LBG-01 040120 1500l 8200/l --cert NKV --cert HALAL
offer LBG-02-SUSU LBG-02 040120 2kl   8100/l --cert NKV --cert HALAL
offer LBG-03-SUSU LBG-03 040120 1200l 8000/l --cert HALAL
offer BGR-01-SUSU BGR-01 040120 1800l 8600/l --cert NKV --cert HALAL
offer BGR-02-SUSU BGR-02 040120 1000l 8900/l --cert NKV --cert HALAL
offer PJN-01-SUSU PJN-01 040120 5kl   7600/l --cert NKV --cert HALAL

# --- Frozen vannamei shrimp: Sidoarjo (Jawa Timur) and Lampung ---------
producer SDA-01 "Tambak Pak Harun, Sidoarjo" KOP-SIDOARJO 35 -7.45,112.72 small
producer SDA-02 "UD Udang Candi"             KOP-SIDOARJO 35 -7.50,112.70 small
producer LPG-01 "Tambak Dipasena, Tulang Bawang" KOP-LAMPUNG 18 -4.27,105.85 medium
producer LPG-02 "Kelompok Tambak Rawajitu"   KOP-LAMPUNG 18 -4.20,105.90 small
offer SDA-01-UDANG SDA-01 030617 3t   98000/kg --cert HACCP --min-order 500kg
offer SDA-02-UDANG SDA-02 030617 2.5t 97000/kg --cert HACCP
offer LPG-01-UDANG LPG-01 030617 4t   92000/kg --cert HACCP --cert BAP
offer LPG-02-UDANG LPG-02 030617 5t   93500/kg --cert HACCP

# --- Rice: Karawang (Jawa Barat), Sragen (Jawa Tengah), Ngawi (Jawa Timur)
producer KRW-01 "Gapoktan Sri Makmur, Karawang" KOP-KARAWANG 32 -6.30,107.30 small
producer KRW-02 "Gapoktan Tani Jaya, Rawamerta" KOP-KARAWANG 32 -6.25,107.35 small
producer SRG-01 "Koperasi Tani Organik Sragen"  KOP-SRAGEN 33 -7.43,111.02 medium
producer NGW-01 "Gapoktan Ngawi Makmur"         KOP-NGAWI 35 -7.40,111.45 medium
offer KRW-01-BERAS KRW-01 100630 8t  11200/kg
offer KRW-02-BERAS KRW-02 100630 6t  11400/kg
offer SRG-01-BERAS SRG-01 100630 10t 10900/kg --cert ORGANIC
offer NGW-01-BERAS NGW-01 100630 15t 10500/kg

# --- Wooden furniture: Jepara and Blora (Jawa Tengah) -----------------
producer JPR-01 "UD Ukir Mulyoharjo, Jepara" KOP-JEPARA 33 -6.60,110.67 small
producer JPR-02 "CV Mebel Tahunan"            KOP-JEPARA 33 -6.63,110.70 small
producer JPR-03 "Pengrajin Senenan"           KOP-JEPARA 33 -6.58,110.66 micro
producer BLR-01 "Koperasi Kayu Jati Blora"    KOP-BLORA 33 -6.97,111.42 small
offer JPR-01-MEJA JPR-01 940360 50pcs 1450000/pcs --cert SVLK
offer JPR-02-MEJA JPR-02 940360 40pcs 1500000/pcs --cert SVLK
offer JPR-03-MEJA JPR-03 940360 60pcs 1350000/pcs
offer BLR-01-MEJA BLR-01 940360 40pcs 1550000/pcs --cert SVLK

# --- Bananas: Lampung -------------------------------------------------
producer LPG-PIS-01 "Kelompok Tani Pisang Mas, Tanggamus" KOP-PISANG-LAMPUNG 18 -5.45,104.63 micro
producer LPG-PIS-02 "Pak Joko, Pesawaran"                 KOP-PISANG-LAMPUNG 18 -5.43,105.08 micro
offer LPG-PIS-01-PISANG LPG-PIS-01 080390 1.5t 6000/kg --cert GLOBALGAP
offer LPG-PIS-02-PISANG LPG-PIS-02 080390 2t   5800/kg

# --- Marketplace demand ------------------------------------------------
# The two registries are separate logs: let the matcher see every offer
# before the demands arrive, so the allocations below are the ones a
# full market gives (read-your-writes, PROTOCOL.md section 4).
r --timeout 30000 wait --producer-seq "$pseq" >/dev/null
buyer BUY-KOPI-EKSPOR "PT Kopi Ekspor Nusantara" MKT-EKSPORKU
buyer BUY-HOTEL       "PT Hotel Nusantara Group"  MKT-HOREKA
buyer BUY-UDANG       "PT Samudra Udang Ekspor"   MKT-EKSPORKU
buyer BUY-BERAS       "Perum BULOG Divre DKI Jakarta" MKT-LPSE
buyer BUY-MEBEL       "CV Mebel Ekspor Semarang"  MKT-EKSPORKU
buyer BUY-BUAH        "PT Segar Retail Jakarta"   MKT-HOREKA

# 4 t green arabica at Tanjung Perak, Surabaya: no producer has more
# than 1.2 t.
demand DEM-KOPI-001 BUY-KOPI-EKSPOR 0901 4t --max-price 95000/kg \
  --require HALAL --at -7.20,112.73 --partial --transport 1.5/kg/km \
  --deliver-by 2027-03-01
# 6,000 litres of fresh milk a week for Jakarta hotels, all or nothing,
# within 200 km, with a veterinary control number.
demand DEM-SUSU-001 BUY-HOTEL 040120 6kl --max-price 9500/l --require NKV \
  --at -6.20,106.82 --max-km 200 --no-partial --transport 3/l/km
# 10 t frozen shrimp for export, HACCP, at most 4 farms.
demand DEM-UDANG-001 BUY-UDANG 030617 10t --max-price 110000/kg \
  --require HACCP --at -7.20,112.73 --partial --max-suppliers 4 \
  --transport 2/kg/km
# 20 t rice for Jakarta from Jawa Barat and Jawa Tengah only.
demand DEM-BERAS-001 BUY-BERAS 100630 20t --max-price 12000/kg \
  --at -6.12,106.88 --origin 32 --origin 33 --partial --transport 0.5/kg/km
# 120 SVLK-legal wooden tables for export from Semarang, all or nothing,
# at most 3 workshops.
demand DEM-MEBEL-001 BUY-MEBEL 9403 120pcs --require SVLK \
  --at -6.95,110.42 --no-partial --max-suppliers 3 --transport 100/pcs/km
# 5 t GLOBALG.A.P. bananas: more than the certified farms have today.
demand DEM-PISANG-001 BUY-BUAH 0803 5t --max-price 7000/kg \
  --require GLOBALGAP --at -6.20,106.82 --partial --transport 1/kg/km
