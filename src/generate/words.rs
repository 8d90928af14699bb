//! The words the generated data is made of: Vietnamese family, middle and given names, hamlet
//! syllables, the rural trades of a northern midland province (tea above all), their products
//! and machines, and the budget lines of each kind of activity.

/// Family names with their weights (Nguyễn is by far the most common). The last five are
/// common among the Tày, Nùng and Dao of Thái Nguyên.
pub const FAMILY_NAMES: &[(&str, u32)] = &[
    ("Nguyễn", 300),
    ("Trần", 90),
    ("Lê", 80),
    ("Phạm", 60),
    ("Hoàng", 60),
    ("Vũ", 40),
    ("Đỗ", 40),
    ("Dương", 40),
    ("Ngô", 30),
    ("Bùi", 30),
    ("Đặng", 30),
    ("Lương", 25),
    ("Đinh", 20),
    ("Trịnh", 20),
    ("Phùng", 12),
    ("Chu", 10),
    ("Tạ", 10),
    ("Lưu", 10),
    ("Vương", 8),
    ("Ma", 30),
    ("Nông", 20),
    ("Triệu", 20),
    ("Hà", 20),
    ("Lý", 15),
];

/// How many of the last [`FAMILY_NAMES`] are minority family names.
pub const MINORITY_FAMILIES: usize = 5;

/// Men's middle names.
pub const MALE_MIDDLE: &[(&str, u32)] = &[
    ("Văn", 60),
    ("Đức", 8),
    ("Minh", 8),
    ("Quang", 6),
    ("Hữu", 5),
    ("Đình", 5),
    ("Xuân", 4),
    ("Công", 4),
];

/// Women's middle names.
pub const FEMALE_MIDDLE: &[(&str, u32)] = &[
    ("Thị", 80),
    ("Thu", 5),
    ("Thanh", 5),
    ("Ngọc", 5),
    ("Minh", 5),
];

/// Men's given names.
pub const MALE_GIVEN: &[&str] = &[
    "Hùng", "Dũng", "Tuấn", "Thành", "Hải", "Nam", "Long", "Sơn", "Cường", "Quân", "Thắng", "Bình",
    "Toàn", "Khánh", "Phong", "Hiếu", "Trung", "Hưng", "Mạnh", "Tú", "Lâm", "Quý", "Lợi", "Thịnh",
    "Huy", "Đạt", "Nghĩa", "Khôi", "Việt", "Tâm",
];

/// Women's given names.
pub const FEMALE_GIVEN: &[&str] = &[
    "Lan", "Hương", "Mai", "Hoa", "Thu", "Hằng", "Nga", "Hạnh", "Thảo", "Linh", "Yến", "Trang",
    "Huyền", "Nhung", "Loan", "Oanh", "Bích", "Thoa", "Lựu", "Hồng", "Hà", "Dung",
];

/// First syllables of hamlet (xóm, thôn) names.
pub const HAMLET_FIRST: &[&str] = &[
    "Đồng", "Khuôn", "Làng", "Na", "Bờ", "Cây", "Khe", "Tân", "Trung", "Hồng", "Thái", "Bãi",
    "Cầu", "Gốc", "Ao", "Đầm", "Lau", "Soi", "Nà", "Bản",
];

/// Second syllables of hamlet names and of place-like business names.
pub const HAMLET_SECOND: &[&str] = &[
    "Tâm", "Sơn", "Lân", "Chủ", "Mo", "Vàng", "Thành", "Hòa", "Tiến", "Bình", "Quang", "Phong",
    "Xuân", "Thịnh", "Hưng", "Lợi", "Mới", "Cả", "Chùa", "Găng",
];

/// A rural trade: its sector, how a business in it calls itself, what it makes, the machines
/// it buys with support, what its work is called, and what a training course in it teaches.
#[derive(Debug)]
pub struct Trade {
    /// Sector code (`sectors`).
    pub sector: &'static str,
    /// The trade word of a business name (`Chè`, `Cơ khí`…).
    pub name: &'static str,
    /// Main products, one line each.
    pub products: &'static [&'static str],
    /// Machines and equipment, lower case.
    pub machines: &'static [&'static str],
    /// The work, lower case (`chế biến chè xanh`).
    pub process: &'static str,
    /// The craft a course teaches, lower case.
    pub craft: &'static str,
    /// The unit production is counted in.
    pub output_unit: &'static str,
}

const fn trade(
    sector: &'static str,
    name: &'static str,
    products: &'static [&'static str],
    machines: &'static [&'static str],
    process: &'static str,
    craft: &'static str,
    output_unit: &'static str,
) -> Trade {
    Trade {
        sector,
        name,
        products,
        machines,
        process,
        craft,
        output_unit,
    }
}

/// The trades with their weights: tea dominates, as it does in Thái Nguyên.
#[rustfmt::skip]
pub const TRADES: &[(Trade, u32)] = &[
    (trade("agro_processing", "Chè",
        &["Chè xanh, chè búp khô", "Chè móc câu, chè nõn tôm", "Chè xanh, chè túi lọc",
          "Chè đinh, chè búp đặc sản"],
        &["máy sao chè tự động", "máy vò chè liên hoàn", "máy sấy chè bằng điện",
          "máy đóng gói chè tự động", "máy sàng phân loại chè", "máy hút chân không",
          "tôn quay sao chè"],
        "chế biến chè xanh", "chế biến chè an toàn", "tấn chè khô"), 25),
    (trade("agro_processing", "Chế biến gỗ",
        &["Ván bóc, ván ép từ gỗ rừng trồng", "Gỗ xẻ, ván ghép thanh", "Viên nén mùn cưa, gỗ xẻ"],
        &["máy bóc gỗ", "lò sấy gỗ bằng hơi", "máy ghép tấm", "máy chà nhám",
          "máy cưa đĩa tự động", "máy bào bốn mặt", "máy ép viên nén mùn cưa"],
        "chế biến gỗ rừng trồng", "mộc dân dụng", "m³ gỗ"), 8),
    (trade("agro_processing", "Thực phẩm",
        &["Giò, chả, gà đồi làm sạch", "Bánh chưng, bánh giầy", "Miến dong, bún khô",
          "Mật ong, nông sản sấy"],
        &["tủ cấp đông", "máy hút chân không", "nồi nấu bằng hơi", "máy xay giò chả",
          "máy tráng bánh", "lò sấy nông sản", "máy đóng gói tự động"],
        "chế biến thực phẩm", "chế biến thực phẩm an toàn", "tấn sản phẩm"), 8),
    (trade("agro_processing", "Nông sản",
        &["Gạo bao thai, gạo nếp", "Măng khô, gừng sấy", "Bột sắn, tinh bột dong"],
        &["máy xay xát gạo", "máy đánh bóng gạo", "máy sấy nông sản", "máy đóng gói gạo",
          "máy thái lát nông sản", "máy nghiền bột"],
        "chế biến nông sản", "chế biến nông sản", "tấn sản phẩm"), 6),
    (trade("mechanical_electrical", "Cơ khí",
        &["Chi tiết máy, khuôn mẫu", "Máy sao chè, máy vò chè", "Kết cấu thép, khung nhà thép",
          "Máy tuốt lúa, máy thái rau củ", "Bu lông, chi tiết máy gia công CNC"],
        &["máy phay CNC", "máy tiện CNC", "máy cắt plasma CNC", "máy chấn tôn thủy lực",
          "máy hàn tự động", "máy cắt laser fiber", "máy uốn ống"],
        "gia công cơ khí", "hàn, tiện cơ khí", "tấn sản phẩm"), 12),
    (trade("mechanical_electrical", "Điện cơ",
        &["Tủ điện, quạt công nghiệp", "Động cơ điện, máy bơm nước"],
        &["máy quấn dây tự động", "máy đột dập", "máy sơn tĩnh điện", "máy cắt tôn",
          "máy hàn điểm"],
        "sản xuất thiết bị điện", "sửa chữa điện dân dụng", "sản phẩm"), 3),
    (trade("chemicals_building_materials", "Vật liệu xây dựng",
        &["Gạch bê tông không nung, gạch block", "Gạch terrazzo, gạch lát tự chèn",
          "Tấm bê tông đúc sẵn, ống cống"],
        &["máy ép gạch không nung tự động", "máy trộn bê tông cưỡng bức", "dây chuyền ép rung",
          "máy xếp gạch tự động", "máy mài gạch terrazzo", "băng tải cấp liệu"],
        "sản xuất gạch không nung", "sản xuất gạch không nung", "nghìn viên gạch"), 10),
    (trade("handicrafts", "Mây tre đan",
        &["Rổ, rá, làn mây tre đan", "Bàn ghế tre", "Chổi chít, hàng mây tre đan xuất khẩu"],
        &["máy chẻ nan", "máy vót nan", "máy chẻ tăm", "lò sấy chống mốc", "máy đánh bóng tre"],
        "sản xuất hàng mây tre đan", "đan lát mây tre", "sản phẩm"), 8),
    (trade("handicrafts", "Thủ công mỹ nghệ",
        &["Đồ gỗ mỹ nghệ", "Tranh gỗ, tượng gỗ", "Thêu ren, dệt thổ cẩm"],
        &["máy chạm khắc CNC", "máy đục tượng", "máy chà nhám", "máy phun sơn",
          "khung dệt cải tiến"],
        "sản xuất hàng thủ công mỹ nghệ", "chạm khắc gỗ mỹ nghệ", "sản phẩm"), 4),
    (trade("consumer_goods", "May mặc",
        &["Quần áo bảo hộ lao động", "Hàng may mặc xuất khẩu", "Đồng phục học sinh"],
        &["máy may công nghiệp", "máy vắt sổ", "máy cắt vải tự động", "máy thêu vi tính",
          "máy là hơi công nghiệp"],
        "may công nghiệp", "may công nghiệp", "sản phẩm"), 7),
    (trade("consumer_goods", "Bao bì",
        &["Bao bì giấy, thùng carton", "Túi nilon, bao bì nhựa"],
        &["máy in flexo", "máy dán thùng carton", "máy cắt bế", "máy thổi màng"],
        "sản xuất bao bì", "sản xuất bao bì", "tấn sản phẩm"), 3),
    (trade("cleaner_production", "Môi trường",
        &["Phân bón vi sinh từ phụ phẩm", "Thu gom, xử lý chất thải"],
        &["hệ thống xử lý nước thải", "máy ép phân vi sinh", "lò đốt chất thải",
          "máy nghiền phụ phẩm"],
        "xử lý chất thải, sản xuất sạch hơn", "sản xuất phân bón vi sinh", "tấn sản phẩm"), 3),
    (trade("mining_difficult_areas", "Khai thác đá",
        &["Đá xây dựng, cát nghiền", "Đá ốp lát"],
        &["máy nghiền đá", "máy sàng rung", "băng tải", "máy cắt đá"],
        "chế biến đá xây dựng", "vận hành máy nghiền sàng", "m³ đá"), 3),
];

/// A kind of budget line: item, unit of measure, quantity range in hundredths with its step,
/// unit price range in đồng with its step.
pub type LineKind = (&'static str, &'static str, (i64, i64, i64), (i64, i64, i64));

/// Lines that come with buying machinery.
pub const MACHINE_EXTRAS: &[LineKind] = &[
    (
        "Vận chuyển, lắp đặt, chạy thử thiết bị",
        "gói",
        (100, 100, 100),
        (5_000_000, 40_000_000, 500_000),
    ),
    (
        "Cải tạo nhà xưởng đặt thiết bị",
        "m²",
        (5_000, 40_000, 50),
        (600_000, 1_500_000, 10_000),
    ),
    (
        "Hướng dẫn vận hành, bảo dưỡng thiết bị",
        "buổi",
        (200, 800, 100),
        (1_000_000, 3_000_000, 100_000),
    ),
];

/// The lines a demonstration model adds.
pub const DEMONSTRATION_EXTRAS: &[LineKind] = &[
    (
        "Tổ chức hội nghị trình diễn kỹ thuật",
        "hội nghị",
        (100, 200, 100),
        (20_000_000, 60_000_000, 1_000_000),
    ),
    (
        "Xây dựng nhà xưởng mô hình",
        "m²",
        (10_000, 60_000, 50),
        (1_200_000, 3_500_000, 10_000),
    ),
];

/// The lines a technology transfer or cleaner-production pilot adds.
pub const TRANSFER_EXTRAS: &[LineKind] = &[
    (
        "Chi phí chuyển giao công nghệ",
        "gói",
        (100, 100, 100),
        (50_000_000, 300_000_000, 1_000_000),
    ),
    (
        "Đánh giá hiện trạng, xây dựng quy trình",
        "gói",
        (100, 100, 100),
        (20_000_000, 80_000_000, 1_000_000),
    ),
];

/// The lines of a training course.
pub const TRAINING_LINES: &[LineKind] = &[
    (
        "Thù lao giảng viên",
        "buổi",
        (2_000, 6_000, 100),
        (400_000, 1_200_000, 50_000),
    ),
    (
        "Tài liệu học tập",
        "bộ",
        (2_000, 3_500, 100),
        (50_000, 150_000, 5_000),
    ),
    (
        "Nguyên vật liệu thực hành",
        "lớp",
        (100, 100, 100),
        (10_000_000, 60_000_000, 500_000),
    ),
    (
        "Hỗ trợ tiền ăn cho học viên",
        "người/ngày",
        (40_000, 150_000, 100),
        (30_000, 50_000, 5_000),
    ),
    (
        "Thuê hội trường, thiết bị giảng dạy",
        "ngày",
        (1_000, 4_000, 100),
        (500_000, 2_000_000, 50_000),
    ),
    (
        "Cấp chứng chỉ nghề",
        "chứng chỉ",
        (2_000, 3_500, 100),
        (20_000, 50_000, 5_000),
    ),
];

/// The lines of advisory, trade promotion, information and the other activities.
pub const SERVICE_LINES: &[LineKind] = &[
    (
        "Chi phí tư vấn",
        "gói",
        (100, 100, 100),
        (30_000_000, 200_000_000, 1_000_000),
    ),
    (
        "Thuê gian hàng hội chợ, triển lãm",
        "gian",
        (100, 400, 100),
        (8_000_000, 20_000_000, 500_000),
    ),
    (
        "Thiết kế bao bì, nhãn mác sản phẩm",
        "mẫu",
        (100, 500, 100),
        (3_000_000, 15_000_000, 500_000),
    ),
    (
        "In ấn tài liệu, tờ rơi",
        "bộ",
        (10_000, 200_000, 100),
        (5_000, 30_000, 1_000),
    ),
    (
        "Chi phí đi lại, ăn ở",
        "người",
        (200, 1_000, 100),
        (2_000_000, 8_000_000, 100_000),
    ),
    (
        "Xây dựng phóng sự truyền hình",
        "phóng sự",
        (100, 400, 100),
        (10_000_000, 40_000_000, 1_000_000),
    ),
    (
        "Tổ chức hội nghị, hội thảo",
        "hội nghị",
        (100, 200, 100),
        (20_000_000, 80_000_000, 1_000_000),
    ),
];

/// What the Centre asks for when it returns a dossier.
pub const RETURN_NOTES: &[&str] = &[
    "Đề nghị bổ sung: 03 báo giá thiết bị của các nhà cung cấp khác nhau; bản sao giấy chứng nhận \
     đăng ký kinh doanh; văn bản cam kết bố trí vốn đối ứng.",
    "Đề nghị bổ sung: báo cáo tài chính năm gần nhất; xác nhận của UBND xã về địa điểm sản xuất; \
     thuyết minh hiệu quả đầu tư.",
    "Hồ sơ thiếu: đơn đề nghị hỗ trợ của cơ sở; cam kết chưa nhận hỗ trợ từ nguồn vốn nhà nước \
     khác cho cùng nội dung.",
    "Đề nghị hoàn thiện dự toán chi tiết theo Mẫu số 1; bổ sung tài liệu công nghệ, quy trình sản \
     xuất.",
];

/// Why a dossier was refused at screening.
pub const INELIGIBLE_NOTES: &[&str] = &[
    "Không đủ điều kiện hỗ trợ: thiết bị đề nghị hỗ trợ đã được mua sắm, đưa vào sử dụng trước khi \
     đề án được phê duyệt.",
    "Không đủ điều kiện hỗ trợ: nội dung đề nghị đã được hỗ trợ từ nguồn ngân sách nhà nước khác.",
    "Không thuộc đối tượng hỗ trợ: cơ sở không đáp ứng tiêu chí cơ sở công nghiệp nông thôn.",
];

/// Why an appraised proposal was not selected.
pub const NOT_SELECTED_NOTES: &[&str] = &[
    "Không được chọn vào kế hoạch: vượt khả năng cân đối kinh phí khuyến công trong năm.",
    "Không được chọn vào kế hoạch: cơ sở chưa chứng minh được khả năng bố trí vốn đối ứng.",
    "Không được chọn vào kế hoạch: nội dung gần trùng với đề án đã được hỗ trợ, hiệu quả tăng thêm \
     chưa rõ.",
];

/// Why the submitting side took a proposal back.
pub const WITHDRAW_NOTES: &[&str] = &[
    "Cơ sở xin rút đề án do chưa bố trí được mặt bằng lắp đặt thiết bị.",
    "Cơ sở đề nghị rút để lập đề án khác thay thế.",
    "Cơ sở xin rút đề án do thay đổi kế hoạch sản xuất kinh doanh.",
];

/// Why a proposal under way was stopped.
pub const STOP_NOTES: &[&str] = &[
    "Ngừng thực hiện: cơ sở không bố trí được vốn đối ứng.",
    "Ngừng thực hiện: cơ sở chuyển địa điểm sản xuất ra ngoài địa bàn.",
    "Ngừng thực hiện: nhà cung cấp không giao được thiết bị theo hợp đồng.",
];
